// One running `pipedai-worker run`, behind one interface whether we spawned it (output piped into
// the worker's log) or adopted it from a daemon that died (watched by polling; output lost).
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { WorkerLog } from './logs/index.ts';
import type { ProcessProbe } from './process-probe.ts';
import type { Killer, RunCommand } from './spawn.ts';
import { errorMessage } from '../../../shared/index.ts';

export interface ExitResult {
  code: number | null;
  signal: string | null;
}

export interface ProcessHandlers {
  onSpawn(pid: number): void;
  /** Called exactly once, when the process is gone. */
  onExit(result: ExitResult): void;
}

export interface WorkerProcess {
  readonly pid: number | null;
  readonly adopted: boolean;
  /** Ask the worker to drain and exit (SIGTERM; nothing on Windows). */
  terminate(): void;
  /** Kill the worker's whole tree now. */
  kill(): Promise<void>;
}

export type SpawnFn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

export interface SpawnedDeps {
  spawn: SpawnFn;
  killer: Killer;
  log: WorkerLog;
  /** How long after exit to wait for the pipes to close before the output is cut off. */
  closeWaitMs: number;
}

export function spawnWorkerProcess(
  cmd: RunCommand,
  deps: SpawnedDeps,
  handlers: ProcessHandlers,
): WorkerProcess {
  let exited = false;
  const finish = (result: ExitResult): void => {
    if (exited) return;
    exited = true;
    handlers.onExit(result);
  };
  // A spawn that fails (ENOENT, EACCES) counts as an unexpected exit (§5.1); say why in the log.
  const failed = (err: unknown): void => {
    deps.log.push(
      'err',
      Buffer.from(`[orchestrator] could not start the worker: ${errorMessage(err)}\n`),
    );
    finish({ code: null, signal: null });
  };

  let child: ChildProcess;
  try {
    child = deps.spawn(cmd.command, cmd.args, cmd.options);
  } catch (err) {
    queueMicrotask(() => failed(err));
    const kill = async (): Promise<void> => undefined;
    return { pid: null, adopted: false, terminate: () => undefined, kill };
  }
  const pid = child.pid ?? null;
  let spawned = false;
  child.stdout?.on('data', (chunk: Buffer) => deps.log.push('out', chunk));
  child.stderr?.on('data', (chunk: Buffer) => deps.log.push('err', chunk));
  child.once('spawn', () => {
    spawned = true;
    if (pid !== null) handlers.onSpawn(pid);
  });
  // After a successful spawn an 'error' only reports a failed signal; the exit still comes.
  child.on('error', (err) => {
    if (!spawned) failed(err);
  });
  child.once('exit', (code, signal) => {
    // Nothing of the worker's process group outlives it (a grandchild holding our pipes would
    // also keep 'close' from firing).
    if (pid !== null) deps.killer.killGroup(pid);
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      deps.log.flushPartial();
      finish({ code, signal });
    };
    const timer = setTimeout(settle, deps.closeWaitMs);
    child.once('close', settle);
  });

  return {
    pid,
    adopted: false,
    terminate() {
      if (pid !== null && !exited) deps.killer.terminate(pid);
    },
    async kill() {
      if (exited) return;
      if (pid === null) child.kill('SIGKILL');
      else await deps.killer.killTree(pid);
    },
  };
}

export interface AdoptedDeps {
  probe: ProcessProbe;
  killer: Killer;
  pollMs: number;
}

/**
 * A worker left behind by a daemon that died: not our child, so no exit event and no output;
 * its end is noticed by polling (gone, a zombie, or its pid now names another process).
 */
export function adoptWorkerProcess(
  record: { pid: number; startTime: string },
  deps: AdoptedDeps,
  handlers: ProcessHandlers,
): WorkerProcess {
  const { pid, startTime } = record;
  let exited = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const isSame = async (): Promise<boolean> =>
    (await deps.probe.isAlive(pid)) && (await deps.probe.startTime(pid)) === startTime;
  // Watching never keeps the process alive by itself (a daemon that failed to start must exit).
  const schedule = (): void => {
    timer = setTimeout(() => void poll(), deps.pollMs);
    timer.unref();
  };
  const poll = async (): Promise<void> => {
    timer = null;
    const alive = await isSame().catch(() => true); // a failed probe proves nothing; look again
    if (exited) return;
    if (alive) return schedule();
    exited = true;
    handlers.onExit({ code: null, signal: null });
  };
  schedule();

  return {
    pid,
    adopted: true,
    terminate() {
      if (!exited) deps.killer.terminate(pid);
    },
    async kill() {
      if (exited) return;
      // Re-check first: killing by pid after the process ended could hit a stranger.
      if (await isSame()) await deps.killer.killTree(pid);
      if (timer !== null && !exited) {
        clearTimeout(timer);
        void poll();
      }
    },
  };
}
