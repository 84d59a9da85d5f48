// One worker's run state machine (contract §5.1–§5.3): stopped → starting → running →
// backing-off → crashed, and the operator's last intent kept: a start issued while a stop drains
// is honoured when the drain ends.
//
// A stop is a drain that waits for the run, however long:
// POSIX sends SIGTERM and waits for the exit; Windows, which has no drain signal (§3.4), waits
// until the worker holds no run and then kills the tree. Only Force stop, or a ceiling the
// operator set (off by default), kills earlier.
import type { ExitInfo, RunState, SupervisorStatus } from '../../../shared/index.ts';
import { exceedsMaxRestarts, nextStreak, restartDelayMs, type BackoffPolicy } from './backoff.ts';
import type { OutputCapture } from './capture/worker-capture.ts';
import type { WorkerLog } from './logs/index.ts';
import type { ProcessHandlers, WorkerProcess } from './worker-process.ts';

export interface StopOptions {
  /** Kill the tree at once instead of waiting for the drain. */
  force?: boolean;
  /** Kill the tree if the drain lasts longer than this (default: the worker's ceiling, if any). */
  ceilingMs?: number;
}

export interface SupervisedWorkerDeps {
  platform: NodeJS.Platform;
  /**
   * Start a fresh `run` child; the handlers report its spawn and exit. `problem` when there is
   * nothing to start (no worker runtime installed): the worker then waits in needs-runtime.
   */
  launch(handlers: ProcessHandlers): WorkerProcess | { problem: string };
  log: WorkerLog;
  capture: OutputCapture;
  backoff: BackoffPolicy;
  /** The operator's drain ceiling; null: a drain waits for the run however long. */
  drainCeilingMs: number | null;
  /**
   * Windows only (no drain signal): does the worker hold no run right now? Polled every
   * idlePollMs during a drain; when absent, a Windows stop kills at once.
   */
  isIdle?: () => Promise<boolean>;
  idlePollMs: number;
  random(): number;
  now(): number;
  /** Every transition, with the new status. */
  onChange(status: SupervisorStatus): void;
}

interface PendingStop {
  done: Promise<void>;
  resolve(): void;
  since: number;
  killAt: number;
  killTimer: ReturnType<typeof setTimeout> | null;
  idleTimer: ReturnType<typeof setTimeout> | null;
}

export class SupervisedWorker {
  readonly id: string;
  /** Fixed at creation (§5.4). */
  readonly configPath: string;
  readonly log: WorkerLog;
  readonly capture: OutputCapture;
  readonly #deps: SupervisedWorkerDeps;
  #state: RunState = 'stopped';
  #proc: WorkerProcess | null = null;
  #startedAt: number | null = null;
  #streak = 0;
  #lastExit: ExitInfo | null = null;
  #restartTimer: ReturnType<typeof setTimeout> | null = null;
  #nextRestartAt: number | null = null;
  #stop: PendingStop | null = null;
  /** The last intent: start/restart set it, stop clears it. */
  #wantRunning = false;
  #closed = false;

  constructor(id: string, configPath: string, deps: SupervisedWorkerDeps) {
    this.id = id;
    this.configPath = configPath;
    this.log = deps.log;
    this.capture = deps.capture;
    this.#deps = deps;
  }

  /** A process of this worker is alive (or being spawned). */
  get hasProcess(): boolean {
    return this.#proc !== null;
  }

  status(): SupervisorStatus {
    return {
      id: this.id,
      state: this.#state,
      pid: this.#proc?.pid ?? null,
      startedAt: this.#startedAt,
      restarts: this.#streak,
      lastExit: this.#lastExit,
      draining: this.#stop !== null,
      drainingSince: this.#stop?.since ?? null,
      nextRestartAt: this.#nextRestartAt,
      adopted: this.#proc?.adopted ?? false,
    };
  }

  /** Explicit start: resets the streak; cuts a backoff short; during a drain, runs after it. */
  start(): void {
    if (this.#closed) return;
    this.#wantRunning = true;
    // (a drain has a process: the start waits for its end, see #completeStop)
    if (this.#state === 'running' || this.#state === 'starting') return;
    this.#clearRestart();
    this.#streak = 0;
    this.#spawn();
  }

  /** Reconcile's start (§5.4): like start, but a pending backoff is left to run its course. */
  keepRunning(): void {
    if (this.#state === 'backing-off') return; // (never while a stop drains: no process backs off)
    this.start();
  }

  /** Resolves when the worker is stopped (its process gone). */
  stop(opts: StopOptions = {}): Promise<void> {
    this.#wantRunning = false;
    if (this.#stop !== null) {
      if (opts.force) this.#scheduleKill(this.#stop, 0);
      else if (opts.ceilingMs !== undefined)
        this.#scheduleKill(this.#stop, this.#stop.since + opts.ceilingMs - this.#deps.now());
      return this.#stop.done;
    }
    const proc = this.#proc;
    if (proc === null) {
      const changed = this.#state !== 'stopped' || this.#streak !== 0;
      this.#clearRestart();
      this.#state = 'stopped';
      this.#streak = 0;
      if (changed) this.#changed();
      return Promise.resolve();
    }
    let resolve = (): void => undefined;
    const done = new Promise<void>((r) => (resolve = r));
    const stop: PendingStop = {
      done,
      resolve,
      since: this.#deps.now(),
      killAt: Infinity,
      killTimer: null,
      idleTimer: null,
    };
    this.#stop = stop;
    const ceiling = opts.ceilingMs ?? this.#deps.drainCeilingMs;
    if (opts.force) {
      this.#scheduleKill(stop, 0);
    } else if (this.#deps.platform === 'win32') {
      // No drain signal on Windows (§5.6): the tree goes once the worker holds no run.
      if (this.#deps.isIdle) this.#killWhenIdle(stop, this.#deps.isIdle);
      else this.#scheduleKill(stop, 0);
      if (ceiling !== null) this.#scheduleKill(stop, ceiling);
    } else {
      proc.terminate();
      if (ceiling !== null) this.#scheduleKill(stop, ceiling);
    }
    this.#changed();
    return done;
  }

  /** Stop, then start again; a stop issued meanwhile wins. */
  restart(opts: StopOptions = {}): Promise<void> {
    const stopped = this.stop(opts);
    this.start();
    return stopped;
  }

  /** Take over a process a previous daemon left running (see child-registry.ts). */
  adopt(attach: (handlers: ProcessHandlers) => WorkerProcess, startedAt: number): void {
    if (this.#closed || this.#proc !== null)
      throw new Error(`worker ${this.id} already has a process`);
    this.#clearRestart();
    this.#wantRunning = true;
    const proc: WorkerProcess = attach({
      onSpawn: () => undefined,
      onExit: (result) => this.#onExit(proc, result),
    });
    this.#proc = proc;
    this.#state = 'running';
    this.#startedAt = startedAt;
    this.log.push(
      'out',
      Buffer.from(`[orchestrator] adopted pid ${proc.pid} left running by a previous daemon\n`),
    );
    this.#changed();
  }

  /** Stop for good and close the log; no later start has any effect. */
  async close(opts: StopOptions = {}): Promise<void> {
    const stopped = this.stop(opts);
    this.#closed = true;
    await stopped;
    this.capture.close();
    await this.log.close();
  }

  /** Leave the process running for the next daemon; stop watching it and close the log. */
  async detach(): Promise<void> {
    this.#closed = true;
    this.#clearRestart();
    this.#proc?.release();
    this.capture.close();
    await this.log.close();
  }

  #spawn(): void {
    this.#startedAt = null;
    this.#nextRestartAt = null;
    const launched = this.#deps.launch({
      onSpawn: () => this.#onSpawn(proc),
      onExit: (result) => this.#onExit(proc, result),
    });
    if ('problem' in launched) {
      // Not a crash: nothing to back off from. A later start (every reconcile) looks again.
      if (this.#state !== 'needs-runtime')
        this.log.push('err', Buffer.from(`[orchestrator] cannot start: ${launched.problem}\n`));
      const changed = this.#state !== 'needs-runtime';
      this.#state = 'needs-runtime';
      this.#streak = 0;
      if (changed) this.#changed();
      return;
    }
    const proc: WorkerProcess = launched;
    this.#state = 'starting';
    this.#proc = proc;
    this.#changed();
  }

  #onSpawn(proc: WorkerProcess): void {
    if (this.#proc !== proc || this.#state !== 'starting') return;
    this.#state = 'running';
    this.#startedAt = this.#deps.now();
    this.#changed();
  }

  #onExit(proc: WorkerProcess, result: { code: number | null; signal: string | null }): void {
    if (this.#proc !== proc) return;
    const at = this.#deps.now();
    const ran = this.#startedAt === null ? 0 : at - this.#startedAt;
    this.#proc = null;
    this.#startedAt = null;
    this.#lastExit = { code: result.code, signal: result.signal, at };
    if (this.#stop !== null) return this.#completeStop(this.#stop);
    // An adopted worker ending on its own is replaced at once: its history is not ours to count.
    if (proc.adopted) return this.#spawn();
    const { backoff } = this.#deps;
    this.#streak = nextStreak(this.#streak, ran, backoff);
    if (exceedsMaxRestarts(this.#streak, backoff)) {
      this.#state = 'crashed';
      return this.#changed();
    }
    const delay = restartDelayMs(this.#streak, backoff, this.#deps.random);
    this.#state = 'backing-off';
    this.#nextRestartAt = at + delay;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      this.#spawn();
    }, delay);
    this.#changed();
  }

  #completeStop(stop: PendingStop): void {
    this.#stop = null;
    // Stryker disable next-line ConditionalExpression: clearTimeout(null) does nothing
    if (stop.killTimer !== null) clearTimeout(stop.killTimer);
    // Stryker disable next-line ConditionalExpression: clearTimeout(null) does nothing
    if (stop.idleTimer !== null) clearTimeout(stop.idleTimer);
    this.#state = 'stopped';
    this.#streak = 0;
    this.#changed();
    stop.resolve();
    if (this.#wantRunning && !this.#closed) this.#spawn();
  }

  /** Windows drain: poll until the worker holds no run, then kill the tree. */
  #killWhenIdle(stop: PendingStop, isIdle: () => Promise<boolean>): void {
    const check = async (): Promise<void> => {
      stop.idleTimer = null;
      // A failed probe proves nothing: look again rather than cut a run short.
      const idle = await isIdle().catch(() => false);
      if (this.#stop !== stop) return; // the drain ended meanwhile
      if (idle) this.#scheduleKill(stop, 0);
      else stop.idleTimer = setTimeout(() => void check(), this.#deps.idlePollMs);
    };
    void check();
  }

  /** Kill the tree `ms` from now, unless an earlier kill is already due. */
  #scheduleKill(stop: PendingStop, ms: number): void {
    ms = Math.max(0, ms);
    const at = this.#deps.now() + ms;
    // Stryker disable next-line EqualityOperator: a kill due at the same time is the same kill
    if (at >= stop.killAt) return;
    stop.killAt = at;
    // Stryker disable next-line ConditionalExpression: clearTimeout(null) does nothing
    if (stop.killTimer !== null) clearTimeout(stop.killTimer);
    stop.killTimer = setTimeout(() => {
      stop.killTimer = null;
      void this.#proc?.kill();
    }, ms);
  }

  #clearRestart(): void {
    if (this.#restartTimer !== null) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
    this.#nextRestartAt = null;
  }

  #changed(): void {
    this.#deps.onChange(this.status());
  }
}
