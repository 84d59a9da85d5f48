// Small text formats shared by the views. Times render in the viewer's local time zone.
import type { ConnectivitySample, LogLine, Probe, Verdict } from '../../shared/index.ts';
import { ageText } from '../../shared/age.ts';

/** `12s ago`, `5m ago`, `3h ago`, `2d ago`; `in 5s` for the future. */
export function relativeTime(then: number, now: number): string {
  const diff = now - then;
  const text = ageText(Math.abs(diff));
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** For moments in the past: a clock a few seconds behind must not say "in 1s". */
export function ago(then: number, now: number): string {
  return now - then < 5000 ? 'just now' : relativeTime(then, now);
}

// Shared with the CLI and the tray (the draining line).
export { duration, shortId } from '../../shared/util.ts';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function timeOfDay(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function dateTime(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${timeOfDay(ts)}`;
}

/** A timestamp that may be epoch ms or an ISO string (run events carry either). */
export function toEpochMs(ts: string | number): number | null {
  if (typeof ts === 'number') return Number.isFinite(ts) ? ts : null;
  const n = Date.parse(ts);
  return Number.isNaN(n) ? null : n;
}

export function verdictLabel(v: Verdict | null | undefined): string {
  switch (v) {
    case 'online':
      return 'online';
    case 'api-unreachable':
      return 'API unreachable';
    case 'offline':
      return 'offline';
    default:
      return '—';
  }
}

export function probeText(p: Probe): string {
  if (p.ok) return p.latencyMs === null ? 'ok' : `${Math.round(p.latencyMs)} ms`;
  if (p.error) return p.error;
  return p.status === null ? 'failed' : `HTTP ${p.status}`;
}

/** `https://api.pipedai.app/` → `api.pipedai.app`. */
export function hostOf(url: string): string {
  return url.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

/** Latency of the first healthy API probe (the pill's number), or null. */
export function pillLatency(sample: ConnectivitySample | null): number | null {
  const ok = sample?.api.find((p) => p.ok && p.latencyMs !== null);
  return ok?.latencyMs ?? null;
}

/** The download format: `<ISO time> <out|err> <text>` per line (the daemon's log file format). */
export function logFileText(lines: readonly LogLine[]): string {
  return lines.map((l) => `${new Date(l.ts).toISOString()} ${l.stream} ${l.line}\n`).join('');
}

/** `<label>.log`, with characters file systems refuse replaced. */
export function logFileName(label: string): string {
  const printable = [...label].map((ch) => (ch.charCodeAt(0) < 0x20 ? '-' : ch)).join('');
  const safe = printable.replace(/[\\/:*?"<>|]+/g, '-').trim();
  return `${safe === '' ? 'worker' : safe}.log`;
}
