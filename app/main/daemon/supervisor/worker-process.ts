// One running `pipedai-worker run`, behind one interface whether we spawned it or adopted it from
// a daemon that went away (watched by polling). Either way its output goes to files it holds,
// which the worker's capture tails (capture/worker-capture.ts).
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { OutputCapture, SpawnStdio } from './capture/worker-capture.ts';
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
  /** Hand-off: stop watching; the process must not keep this one alive any more. */
  release(): void;
}

export type SpawnFn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

export interface SpawnedDeps {
  spawn: SpawnFn;
  killer: Killer;
  log: WorkerLog;
  capture: OutputCapture;
}

export function spawnWorkerProcess(
  command: (output: SpawnStdio['stdio']) => RunCommand,
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

  let io: SpawnStdio;
  try {
    io = deps.capture.openForSpawn();
  } catch (err) {
    // A broken log disk must not keep the worker from running: this process goes uncaptured.
    deps.log.push(
      'err',
      Buffer.from(
        `[orchestrator] cannot open the worker's output files (${errorMessage(err)}); this process's output is not captured\n`,
      ),
    );
    io = { stdio: ['ignore', 'ignore', 'ignore'], release: () => undefined };
  }
  let child: ChildProcess;
  try {
    const cmd = command(io.stdio);
    child = deps.spawn(cmd.command, cmd.args, cmd.options);
  } catch (err) {
    io.release();
    queueMicrotask(() => failed(err));
    const kill = async (): Promise<void> => undefined;
    return {
      pid: null,
      adopted: false,
      terminate: () => undefined,
      kill,
      release: () => undefined,
    };
  }
  // The child holds its own copies of the output files now.
  io.release();
  const pid = child.pid ?? null;
  let spawned = false;
  child.once('spawn', () => {
    spawned = true;
    deps.capture.follow();
    if (pid !== null) handlers.onSpawn(pid);
  });
  // After a successful spawn an 'error' only reports a failed signal; the exit still comes.
  child.on('error', (err) => {
    if (!spawned) failed(err);
  });
  child.once('exit', (code, signal) => {
    // Nothing of the worker's process group outlives it.
    if (pid !== null) deps.killer.killGroup(pid);
    // What it wrote is in its files by now: read the rest, end its unterminated lines.
    deps.capture.finish();
    finish({ code, signal });
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
    release() {
      // A child handle keeps the event loop alive: a daemon handing over must be free to exit.
      child.removeAllListeners('exit');
      child.unref();
    },
  };
}

export interface AdoptedDeps {
  probe: ProcessProbe;
  killer: Killer;
  pollMs: number;
  capture: OutputCapture;
}

/**
 * A worker left behind by a daemon that went away: not our child, so no exit event; its end is
 * noticed by polling (gone, a zombie, or its pid now names another process). Its output files
 * are tailed from where the previous daemon stopped reading.
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
    deps.capture.finish();
    handlers.onExit({ code: null, signal: null });
  };
  deps.capture.follow();
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
    release() {
      exited = true;
      // Stryker disable next-line ConditionalExpression: clearTimeout(null) does nothing
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
