// `connectivity [--tail] [--problems] [--json]`: read connectivity.log directly, so it works
// with the daemon down (contract §8.16).
import { readFile } from 'node:fs/promises';
import { ConnectivitySample, type Verdict } from '../../app/shared/status.ts';
import type { Paths } from '../../app/main/daemon/boot.ts';
import type { Ui } from '../ui.ts';

/** Bounded: only the last 5 MiB of the file are read (the file rotates at 5 MiB). */
async function readSamples(path: string): Promise<ConnectivitySample[] | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  const out: ConnectivitySample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const s = ConnectivitySample.safeParse(JSON.parse(line));
      if (s.success) out.push(s.data);
    } catch {
      // Skip a torn line.
    }
  }
  return out;
}

export async function connectivity(
  paths: Paths,
  ui: Ui,
  opts: { tail: number; problems: boolean; json: boolean },
): Promise<void> {
  const path = paths.connectivityLog;
  const samples = await readSamples(path);
  if (samples === null) {
    ui.out(`no connectivity log yet at ${path} (the daemon writes it while it runs)`);
    return;
  }
  const selected = (opts.problems ? samples.filter((s) => s.verdict !== 'online') : samples).slice(
    -opts.tail,
  );
  if (opts.json) {
    for (const s of selected) ui.out(JSON.stringify(s));
    return;
  }
  if (samples.length === 0) return ui.out('the connectivity log is empty');
  const latest = samples.at(-1) as ConnectivitySample;
  const counts = new Map<Verdict, number>();
  for (const s of samples) counts.set(s.verdict, (counts.get(s.verdict) ?? 0) + 1);
  const color = (v: Verdict) =>
    v === 'online' ? ui.green(v) : v === 'offline' ? ui.red(v) : ui.yellow(v);
  ui.out(
    `latest: ${color(latest.verdict)} (${Math.round((Date.now() - latest.ts) / 1000)}s ago) · ${samples.length} samples: ${[...counts].map(([v, n]) => `${v} ${n}`).join(', ')}`,
  );
  ui.out(ui.dim(`log: ${path}`));
  if (selected.length === 0) return ui.out('no problem samples');
  for (const s of selected) {
    const api =
      s.api.length === 0
        ? '—'
        : s.api
            .map(
              (p) =>
                `${p.url.replace(/^https?:\/\//, '')} ${p.ok ? `${p.latencyMs}ms` : (p.error ?? 'fail')}`,
            )
            .join(', ');
    const net = s.internet.ok ? `${s.internet.latencyMs}ms` : (s.internet.error ?? 'fail');
    ui.out(
      `${new Date(s.ts).toLocaleString()}  ${color(s.verdict).padEnd(16)} api:[${api}] internet:${net}`,
    );
  }
}
