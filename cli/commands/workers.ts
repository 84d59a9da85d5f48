// `workers` (the fused view as a table, or --json), `workers <verb> <id|label>`, `logs`, `upgrade`.
import {
  errorMessage,
  CommandError,
  WORKER_VERBS,
  drainingText,
  runWorkerVerb,
  type FusedWorker,
  type WorkerVerb,
} from '../../app/shared/index.ts';
import type { ControlClient } from '../../app/main/control/index.ts';
import { connectDaemon, type CliContext } from '../context.ts';
import { ago, table, type Ui } from '../ui.ts';

export async function daemonClient(
  ctx: CliContext,
  port?: number,
): Promise<{ client: ControlClient; items: FusedWorker[] }> {
  const client = await connectDaemon(ctx, port);
  return { client, items: (await client.call('listWorkers', {})).items };
}

function resolveWorker(items: FusedWorker[], ref: string): FusedWorker {
  const w = items.find((i) => i.id === ref) ?? items.find((i) => i.label === ref);
  if (!w)
    throw new CommandError(
      'not-found',
      `no worker with id or label ${JSON.stringify(ref)} on this host (see \`pipedai-orchestrator workers\`)`,
    );
  return w;
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

function remoteCell(ui: Ui, w: FusedWorker): string {
  if (!w.remote) return ui.dim('—');
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

export function workersTable(ui: Ui, items: FusedWorker[], now = Date.now()): string[] {
  const rows = [
    ['ID', 'LABEL', 'MODE', 'LOCAL', 'REMOTE', 'RUN', 'VERSION', 'RUNTIME'].map((h) => ui.bold(h)),
  ];
  for (const w of items) {
    const version = w.workerVersion
      ? `v${w.workerVersion}${w.versionStale ? ui.yellow(` → v${w.latestWorkerVersion}`) : ''}`
      : ui.dim('—');
    rows.push([
      w.id,
      w.label,
      w.mode,
      localCell(ui, w, now),
      remoteCell(ui, w),
      w.currentRunId ? w.currentRunId.slice(0, 12) : ui.dim('—'),
      version,
      runtimeCell(ui, w),
    ]);
  }
  return table(rows);
}

export async function listWorkers(
  ctx: CliContext,
  ui: Ui,
  opts: { json: boolean; port?: number },
): Promise<void> {
  const { items } = await daemonClient(ctx, opts.port);
  if (opts.json) return ui.out(JSON.stringify({ items }, null, 2));
  if (items.length === 0)
    return ui.out('no workers on this host yet: run `pipedai-orchestrator connect`');
  for (const line of workersTable(ui, items)) ui.out(line);
}

/** `workers <verb>`: every verb of the contract's table; Force stop is `stop --force`. */
export type CliVerb = Exclude<WorkerVerb, 'force-stop'>;
export const CLI_VERBS = WORKER_VERBS.filter((v): v is CliVerb => v !== 'force-stop');

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
        if (f.kind === 'log' && f.id === w.id) ui.out(fmt(f));
        else if (f.kind === 'dropped')
          ui.err(ui.yellow(`… ${f.dropped} frames dropped (terminal too slow)`));
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
