// `workers` (the fused view as a table, or --json), `workers <verb> <id|label>`, `logs`, `upgrade`.
import {
  errorMessage,
  CommandError,
  drainingText,
  resourceCells,
  runWorkerVerb,
  staleText,
  type FusedWorker,
  type WorkerVerb,
} from '../../app/shared/index.ts';
import type { ControlClient } from '../../app/main/control/client.ts';
import { connectDaemon, type CliContext } from '../context.ts';
import type { CliVerb } from '../args.ts';
import { ago, fitTable, outputWidth, type Column, type Ui } from '../ui.ts';

export async function daemonClient(
  ctx: CliContext,
  port?: number,
): Promise<{ client: ControlClient; items: FusedWorker[] }> {
  const client = await connectDaemon(ctx, port);
  return { client, items: (await client.call('listWorkers', {})).items };
}

/** At least 8 characters of an id, more where two ids of this host share those. */
const SHORT_ID = 8;

/** Each id cut to its shortest prefix (of at least 8) that no other listed id starts with. */
export function shortIds(ids: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of ids) {
    let n = Math.min(SHORT_ID, id.length);
    while (n < id.length && ids.some((o) => o !== id && o.startsWith(id.slice(0, n)))) n++;
    out.set(id, id.slice(0, n));
  }
  return out;
}

/** A worker by id, label, or an unambiguous id prefix (the short id `workers` shows). */
export function resolveWorker(items: FusedWorker[], ref: string): FusedWorker {
  const exact = items.find((i) => i.id === ref) ?? items.find((i) => i.label === ref);
  if (exact) return exact;
  const prefixed = ref.length >= 4 ? items.filter((i) => i.id.startsWith(ref)) : [];
  if (prefixed.length === 1 && prefixed[0]) return prefixed[0];
  if (prefixed.length > 1)
    throw new CommandError(
      'bad-request',
      `${JSON.stringify(ref)} starts more than one worker id (${prefixed.map((w) => w.label).join(', ')}); give more of it, or the label`,
    );
  throw new CommandError(
    'not-found',
    `no worker with id or label ${JSON.stringify(ref)} on this host (see \`pipedai-orchestrator workers\`)`,
  );
}

function localCell(ui: Ui, w: FusedWorker, now: number): string {
  const l = w.local;
  if (!l) return ui.dim('unknown');
  const color =
    l.state === 'running'
      ? ui.green
      : l.state === 'crashed'
        ? ui.red
        : l.state === 'backing-off' || l.state === 'needs-runtime'
          ? ui.yellow
          : (s: string) => s;
  let s = color(drainingText(w, now) ?? l.state);
  if (l.restarts > 0) s += ` ×${l.restarts}`;
  if (l.state === 'running' && l.startedAt) s += ui.dim(` ${ago(now - l.startedAt)}`);
  return s;
}

function remoteCell(ui: Ui, w: FusedWorker, now: number): string {
  if (!w.remote) return ui.dim('—');
  // PipedAI's last word is out of date: never its green "online".
  if (w.remote.stale) return ui.dim(staleText(w.remote, now));
  const badge = w.remote.disabled ? 'disabled' : w.busy ? 'busy' : w.remote.status;
  const color =
    badge === 'online'
      ? ui.green
      : badge === 'busy'
        ? ui.cyan
        : badge === 'disabled'
          ? ui.yellow
          : ui.red;
  return color(badge);
}

/** Which pipedai-worker runs it: `managed 1.5.0`, `PATH`, `override`, or none. */
export function runtimeCell(ui: Ui, w: FusedWorker): string {
  const r = w.runtime;
  if (!r) return ui.dim('—');
  if (r.source === 'managed') {
    const back = r.rolledBackFrom ? ui.yellow(` (rolled back from ${r.rolledBackFrom})`) : '';
    return `managed ${r.version ?? ''}${back}`;
  }
  if (r.source === 'none') return ui.yellow('none');
  return r.source === 'path' ? 'PATH' : 'override';
}

/**
 * The workers as a person reads them: the label first, then a short id, cut to the terminal's
 * width (labels are shortened first; then RUN, MODE, RUNTIME, VERSION, CPU, MEM and ID go, in
 * that order). CPU and MEM are the worker's whole process tree; `n/a` where this OS gives none.
 * `--json` keeps the full ids.
 */
export function workersTable(
  ui: Ui,
  items: FusedWorker[],
  opts: { now?: number; width?: number | null } = {},
): string[] {
  const now = opts.now ?? Date.now();
  const short = shortIds(items.map((w) => w.id));
  const col = (header: string, cell: (w: FusedWorker) => string, more: Partial<Column> = {}) => ({
    header: ui.bold(header),
    cells: items.map(cell),
    ...more,
  });
  return fitTable(
    [
      col('LABEL', (w) => w.label, { shrinkTo: 12 }),
      col('ID', (w) => ui.dim(short.get(w.id) ?? w.id), { drop: 7 }),
      col('MODE', (w) => w.mode, { drop: 2 }),
      col('LOCAL', (w) => localCell(ui, w, now)),
      col('REMOTE', (w) => remoteCell(ui, w, now)),
      col('RUN', (w) => (w.currentRunId ? w.currentRunId.slice(0, 12) : ui.dim('—')), { drop: 1 }),
      col(
        'VERSION',
        (w) =>
          w.workerVersion
            ? `v${w.workerVersion}${w.versionStale ? ui.yellow(` → v${w.latestWorkerVersion}`) : ''}`
            : ui.dim('—'),
        { drop: 4 },
      ),
      col('RUNTIME', (w) => runtimeCell(ui, w), { drop: 3 }),
      col('CPU', (w) => dimDash(ui, resourceCells(w).cpu), { drop: 5 }),
      col('MEM', (w) => dimDash(ui, resourceCells(w).mem), { drop: 6 }),
    ],
    opts.width === undefined ? null : opts.width,
  );
}

const dimDash = (ui: Ui, cell: string): string =>
  cell === '—' || cell === 'n/a' ? ui.dim(cell) : cell;

export async function listWorkers(
  ctx: CliContext,
  ui: Ui,
  opts: { json: boolean; port?: number },
): Promise<void> {
  const { items } = await daemonClient(ctx, opts.port);
  if (opts.json) return ui.out(JSON.stringify({ items }, null, 2));
  if (items.length === 0)
    return ui.out('no workers on this host yet: run `pipedai-orchestrator connect`');
  for (const line of workersTable(ui, items, { width: outputWidth() })) ui.out(line);
}

export async function workerVerb(
  ctx: CliContext,
  ui: Ui,
  verb: CliVerb,
  ref: string,
  opts: { port?: number; force?: boolean },
): Promise<void> {
  const { client, items } = await daemonClient(ctx, opts.port);
  const w = resolveWorker(items, ref);
  const spin = ui.spinner(`${verb} ${w.label}…`);
  // A stop (disable, delete, restart) waits for the worker's run however long (the command table
  // gives it no client timeout), and meanwhile the line says what it waits for.
  const watch = setInterval(() => {
    void client
      .call('listWorkers', {})
      .then(({ items: now }) => {
        const text = drainingText(now.find((x) => x.id === w.id) ?? w, Date.now());
        if (text)
          spin.update(
            `${verb} ${w.label}: ${text} (Ctrl-C leaves it draining; \`workers stop --force ${w.label}\` ends the run now)`,
          );
      })
      .catch(() => undefined);
  }, DRAIN_WATCH_MS);
  try {
    const run: WorkerVerb = verb === 'stop' && opts.force ? 'force-stop' : verb;
    await runWorkerVerb((name, input) => client.call(name, input), run, w.id);
    spin.stop(`${ui.green('✓')} ${verb} → ${w.label}`);
  } catch (e) {
    spin.stop();
    throw e;
  } finally {
    clearInterval(watch);
  }
}

/** How often a waiting verb looks at the drain it waits for. */
const DRAIN_WATCH_MS = 2_000;

export async function logs(
  ctx: CliContext,
  ui: Ui,
  ref: string,
  opts: { follow: boolean; tail: number; port?: number },
): Promise<void> {
  const { client, items } = await daemonClient(ctx, opts.port);
  const w = resolveWorker(items, ref);
  const fmt = (l: { ts: number; stream: 'out' | 'err'; line: string }): string =>
    `${ui.dim(new Date(l.ts).toISOString())} ${l.stream === 'err' ? ui.red(l.line) : l.line}`;
  const { items: lines } = await client.call('getLogs', { id: w.id, tail: opts.tail });
  for (const l of lines) ui.out(fmt(l));
  if (!opts.follow) return;
  await new Promise<void>((resolve, reject) => {
    const close = client.events(
      (f) => {
        // A batch leaves in one write.
        if (f.kind === 'logs' && f.id === w.id) ui.out(f.lines.map(fmt).join('\n'));
        else if (f.kind === 'dropped')
          ui.err(ui.yellow(`… ${f.dropped} lines dropped (terminal too slow)`));
      },
      (reason) => reject(new CommandError('unavailable', `lost the daemon: ${reason}`)),
    );
    process.once('SIGINT', () => {
      close();
      resolve();
    });
  });
}

export async function upgrade(
  ctx: CliContext,
  ui: Ui,
  ref: string | undefined,
  opts: { all: boolean; version?: string; port?: number },
): Promise<boolean> {
  const { client, items } = await daemonClient(ctx, opts.port);
  let targets: FusedWorker[];
  if (opts.all) {
    targets = items.filter((w) => w.versionStale);
    if (targets.length === 0) {
      ui.out('all workers are up to date');
      return true;
    }
  } else if (ref) {
    targets = [resolveWorker(items, ref)];
  } else {
    throw new CommandError('bad-request', 'name a worker (id or label) or pass --all');
  }
  let ok = true;
  for (const w of targets) {
    const version = opts.version ?? w.latestWorkerVersion;
    if (!version) {
      ui.err(`${w.label}: latest version not known yet; pass --version`);
      ok = false;
      continue;
    }
    const spin = ui.spinner(
      `upgrading ${w.label} (${w.workerVersion ?? '?'} → ${version}); waiting for its run to finish first…`,
    );
    try {
      // The drain waits for the run however long: the command table gives it no client timeout.
      const r = await client.call('upgradeWorker', { id: w.id, version });
      spin.stop(
        `${ui.green('✓')} ${w.label}: ${r.oldVersion ?? '?'} → ${r.target} (${(r.durationMs / 1000).toFixed(1)}s)`,
      );
    } catch (e) {
      spin.stop(`${ui.red('✗')} ${w.label}: ${errorMessage(e)}`);
      ok = false;
    }
  }
  return ok;
}
