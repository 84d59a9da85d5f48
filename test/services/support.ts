// What the services suite's files share on top of box.ts: the orchestrator's CLI run as a user
// inside a box, the unit's state as systemd reports it, sandbox runs, and worker samples.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { SYSTEMD_UNIT } from '../../app/main/service/index.ts';
import { waitFor, workerProcesses, type Box, type ExecOptions, type SandboxInBox } from './box.ts';

export const UNIT_FILE = `/etc/systemd/system/${SYSTEMD_UNIT}.service`;

/** `pipedai-orchestrator …` as `user` inside the box. */
export function orchestrator(box: Box, user: string, args: string[], opts: ExecOptions = {}) {
  return box.exec(['pipedai-orchestrator', ...args], { user, ...opts });
}

const WorkerRow = z.object({
  id: z.string(),
  local: z.object({ state: z.string(), pid: z.number().nullable().optional() }).nullish(),
});

/** The first worker as `workers --json` shows it (pid as seen inside the box). */
export async function firstWorker(box: Box, user: string, opts: ExecOptions = {}) {
  const out = await orchestrator(box, user, ['workers', '--json'], opts);
  return z.object({ items: z.array(WorkerRow) }).parse(JSON.parse(out.stdout)).items[0] ?? null;
}

/** Waits until the first worker runs under a daemon that answers; its id and pid. */
export function workerRunning(box: Box, user: string, opts: ExecOptions = {}, timeoutMs = 60_000) {
  return waitFor(
    'the worker running',
    async () => {
      const w = await firstWorker(box, user, opts);
      return w?.local?.state === 'running' && w.local.pid ? { id: w.id, pid: w.local.pid } : null;
    },
    timeoutMs,
    500,
  );
}

export interface UnitState {
  activeState: string;
  mainPid: number;
  nRestarts: number;
}

export async function unitState(box: Box, scope: string[] = [], opts: ExecOptions = {}) {
  const out = await box.exec(
    [
      'systemctl',
      ...scope,
      'show',
      '-p',
      'ActiveState',
      '-p',
      'MainPID',
      '-p',
      'NRestarts',
      SYSTEMD_UNIT,
    ],
    opts,
  );
  const kv = Object.fromEntries(
    out.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2) as [string, string]),
  );
  return {
    activeState: kv.ActiveState ?? '',
    mainPid: Number(kv.MainPID ?? 0),
    nRestarts: Number(kv.NRestarts ?? 0),
  } satisfies UnitState;
}

const RunView = z.object({ status: z.string() });

export interface SandboxRun {
  runId: string;
  status(): Promise<string>;
}

/** A run queued for the worker, waited for until the worker claims it. */
export async function claimedRun(
  sandbox: SandboxInBox,
  workerId: string,
  durationMs: number,
): Promise<SandboxRun> {
  const { runId } = z
    .object({ runId: z.string() })
    .parse(await sandbox.call('POST', '/sandbox/runs', { workerId, durationMs, events: 5 }));
  const status = async () =>
    RunView.parse(await sandbox.call('GET', `/sandbox/runs/${runId}`)).status;
  await waitFor(`run ${runId} claimed`, async () => (await status()) === 'running', 60_000, 300);
  return { runId, status };
}

export async function enrollmentCode(sandbox: SandboxInBox): Promise<string> {
  return z
    .object({ code: z.string() })
    .parse(await sandbox.call('POST', '/sandbox/enrollment-codes', {})).code;
}

/**
 * Counts the box's worker processes every few tens of milliseconds until stopped: the counts
 * seen, in order.
 */
export function sampleWorkers(box: Box): { stop(): Promise<number[]> } {
  const counts: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      counts.push((await workerProcesses(box)).length);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return counts;
    },
  };
}

export interface Entry {
  path: string;
  uid: number;
  mode: number;
  isDir: boolean;
}

/** Every entry under `dir` (from outside the box, through its root), without following links. */
export async function walk(dir: string): Promise<Entry[]> {
  const out: Entry[] = [];
  const visit = async (path: string): Promise<void> => {
    const st = await lstat(path);
    out.push({ path, uid: st.uid, mode: st.mode & 0o777, isDir: st.isDirectory() });
    if (st.isDirectory()) for (const name of await readdir(path)) await visit(join(path, name));
  };
  await visit(dir);
  return out;
}

/** Every token-looking string in the state folder's secret files (credentials, worker configs). */
export async function secretsIn(stateDir: string): Promise<string[]> {
  const files = [
    join(stateDir, 'orchestrator', 'credentials.json'),
    ...(await readdir(join(stateDir, 'orchestrator', 'workers'))).map((f) =>
      join(stateDir, 'orchestrator', 'workers', f),
    ),
  ];
  const found = new Set<string>();
  for (const f of files)
    for (const m of (await readFile(f, 'utf8')).matchAll(/"([a-z]{3}_[A-Za-z0-9_-]{8,})"/g))
      found.add(m[1] as string);
  return [...found];
}
