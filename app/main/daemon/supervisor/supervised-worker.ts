// One worker's run state machine (contract §5.1–§5.3): stopped → starting → running →
// backing-off → crashed, graceful stop with escalation, and the operator's last intent kept:
// a start issued while a stop drains is honoured when the drain ends.
import type { ExitInfo, RunState, SupervisorStatus } from '../../../shared/index.ts';
import { exceedsMaxRestarts, nextStreak, restartDelayMs, type BackoffPolicy } from './backoff.ts';
import type { WorkerLog } from './logs/index.ts';
import type { ProcessHandlers, WorkerProcess } from './worker-process.ts';

export interface StopOptions {
  /** Kill the tree at once instead of waiting for the drain. */
  force?: boolean;
  /** How long the worker may drain before its tree is killed (default: the worker's grace). */
  graceMs?: number;
}

export interface SupervisedWorkerDeps {
  platform: NodeJS.Platform;
  /**
   * Start a fresh `run` child; the handlers report its spawn and exit. `problem` when there is
   * nothing to start (no worker runtime installed): the worker then waits in needs-runtime.
   */
  launch(handlers: ProcessHandlers): WorkerProcess | { problem: string };
  log: WorkerLog;
  backoff: BackoffPolicy;
  graceMs: number;
  random(): number;
  now(): number;
  /** Every transition, with the new status. */
  onChange(status: SupervisorStatus): void;
}

interface PendingStop {
  done: Promise<void>;
  resolve(): void;
  killAt: number;
  killTimer: ReturnType<typeof setTimeout> | null;
}

export class SupervisedWorker {
  readonly id: string;
  /** Fixed at creation (§5.4). */
  readonly configPath: string;
  readonly log: WorkerLog;
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
    this.#deps = deps;
  }

  get state(): RunState {
    return this.#state;
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
      nextRestartAt: this.#nextRestartAt,
      adopted: this.#proc?.adopted ?? false,
    };
  }

  /** Explicit start: resets the streak; cuts a backoff short; during a drain, runs after it. */
  start(): void {
    if (this.#closed) return;
    this.#wantRunning = true;
    if (this.#stop !== null) return;
    if (this.#state === 'running' || this.#state === 'starting') return;
    this.#clearRestart();
    this.#streak = 0;
    this.#spawn();
  }

  /** Reconcile's start (§5.4): like start, but a pending backoff is left to run its course. */
  keepRunning(): void {
    if (this.#state === 'backing-off' && this.#stop === null) return;
    this.start();
  }

  /** Resolves when the worker is stopped (its process gone). */
  stop(opts: StopOptions = {}): Promise<void> {
    this.#wantRunning = false;
    if (this.#stop !== null) {
      if (opts.force) this.#scheduleKill(0);
      else if (opts.graceMs !== undefined) this.#scheduleKill(opts.graceMs);
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
    this.#stop = { done, resolve, killAt: Infinity, killTimer: null };
    if (opts.force || this.#deps.platform === 'win32') {
      // Windows has no drain signal: the tree goes at once (§5.6).
      this.#scheduleKill(0);
    } else {
      proc.terminate();
      this.#scheduleKill(opts.graceMs ?? this.#deps.graceMs);
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
      Buffer.from(
        `[orchestrator] adopted pid ${proc.pid} left running by a previous daemon; its output cannot be captured until it restarts\n`,
      ),
    );
    this.#changed();
  }

  /** Stop for good and close the log; no later start has any effect. */
  async close(opts: StopOptions = {}): Promise<void> {
    const stopped = this.stop(opts);
    this.#closed = true;
    await stopped;
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
    if (this.#stop !== null) return this.#completeStop();
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

  #completeStop(): void {
    const stop = this.#stop;
    if (stop === null) return;
    this.#stop = null;
    if (stop.killTimer !== null) clearTimeout(stop.killTimer);
    this.#state = 'stopped';
    this.#streak = 0;
    this.#changed();
    stop.resolve();
    if (this.#wantRunning && !this.#closed) this.#spawn();
  }

  /** Kill the tree `ms` from now, unless an earlier kill is already due. */
  #scheduleKill(ms: number): void {
    const stop = this.#stop;
    if (stop === null) return;
    const at = this.#deps.now() + ms;
    if (at >= stop.killAt) return;
    stop.killAt = at;
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
