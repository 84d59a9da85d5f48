// Worker event streams (contract §2.7): one SSE connection per worker, kept to a desired set,
// reconnected with jittered backoff, and given up on when the API says the worker is gone.
import type { Got } from 'got';
import { backoffDelay, type BackoffPolicy, type LastEvent } from '../../../shared/index.ts';
import { sleep as realSleep, type Sleep } from './sleep.ts';
import { newSseStats, type SseLimits, type SseStats } from './sse.ts';
import { describeEnd, openWorkerEventStream } from './worker-stream.ts';

export { lastEventOf, openWorkerEventStream } from './worker-stream.ts';
export type { StreamEnd, WorkerStreamOptions } from './worker-stream.ts';

export interface StreamTarget {
  workerId: string;
  apiUrl: string;
  token: string;
}

export type StreamPhase = 'connecting' | 'open' | 'backoff' | 'stopped';

/** What the status view shows about a stream; never a token. */
export interface StreamState {
  workerId: string;
  apiUrl: string;
  phase: StreamPhase;
  lastError: string | null;
  /** Connection attempts after the first. */
  reconnects: number;
  /** Epoch ms. */
  lastEventAt: number | null;
  nextAttemptAt: number | null;
  /** Totals over every connection: events, keep-alive comments, dropped over-long lines and events. */
  sse: SseStats;
}

export interface StreamPolicy extends BackoffPolicy {
  /** Wait after a 401/403: the token will not fix itself quickly. */
  authRetryMs: number;
  /** A connection open this long resets the backoff. */
  healthyAfterMs: number;
  idleTimeoutMs: number;
}

export const DEFAULT_STREAM_POLICY: StreamPolicy = {
  initialMs: 1_000,
  maxMs: 60_000,
  authRetryMs: 10 * 60_000,
  healthyAfterMs: 30_000,
  idleTimeoutMs: 90_000,
};

export interface EventStreamsOptions {
  got?: Got;
  onEvent: (workerId: string, event: LastEvent) => void;
  onState?: (state: StreamState) => void;
  /** A stream needs the operator: its token is rejected (401/403), or the worker is gone (404). */
  onProblem?: (workerId: string, message: string) => void;
  policy?: Partial<StreamPolicy>;
  limits?: Partial<SseLimits>;
  random?: () => number;
  /** Epoch ms. */
  now?: () => number;
  sleep?: Sleep;
}

interface Runner {
  target: StreamTarget;
  controller: AbortController;
  state: StreamState;
  done: Promise<void>;
}

export class EventStreams {
  private readonly runners = new Map<string, Runner>();
  private readonly policy: StreamPolicy;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly opts: EventStreamsOptions;
  /** Loops of retired streams, still winding down. */
  private readonly ending = new Set<Promise<void>>();
  private closed = false;

  constructor(opts: EventStreamsOptions) {
    this.opts = opts;
    this.policy = { ...DEFAULT_STREAM_POLICY, ...opts.policy };
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
  }

  /** Keep exactly one stream per target: start new ones, end removed ones, restart changed ones. */
  sync(targets: readonly StreamTarget[]): void {
    if (this.closed) return;
    const desired = new Map(targets.map((t) => [t.workerId, t]));
    for (const [id, r] of this.runners) {
      const t = desired.get(id);
      if (!t || t.apiUrl !== r.target.apiUrl || t.token !== r.target.token) {
        this.runners.delete(id);
        this.retire(r);
      }
    }
    for (const t of desired.values()) if (!this.runners.has(t.workerId)) this.start({ ...t });
  }

  states(): StreamState[] {
    return [...this.runners.values()].map((r) => copyState(r.state));
  }

  /** Abort every stream and wait until each loop has ended. */
  async close(): Promise<void> {
    this.closed = true;
    const runners = [...this.runners.values()];
    this.runners.clear();
    for (const r of runners) this.retire(r);
    await Promise.all(this.ending);
  }

  /** Abort a stream that left the desired set; close() still waits for its loop to end. */
  private retire(r: Runner): void {
    r.controller.abort();
    this.ending.add(r.done);
    void r.done.then(() => this.ending.delete(r.done));
  }

  private start(target: StreamTarget): void {
    const runner: Runner = {
      target,
      controller: new AbortController(),
      state: {
        workerId: target.workerId,
        apiUrl: target.apiUrl,
        phase: 'connecting',
        lastError: null,
        reconnects: 0,
        lastEventAt: null,
        nextAttemptAt: null,
        sse: newSseStats(),
      },
      done: Promise.resolve(),
    };
    this.runners.set(target.workerId, runner);
    runner.done = this.run(runner);
  }

  private update(r: Runner, patch: Partial<StreamState>): void {
    Object.assign(r.state, patch);
    // A retired stream's last words are of no interest to the status view.
    if (this.runners.get(r.target.workerId) === r) this.opts.onState?.(copyState(r.state));
  }

  private async run(r: Runner): Promise<void> {
    const { signal } = r.controller;
    const { workerId } = r.target;
    let attempt = 0;
    for (;;) {
      this.update(r, { phase: 'connecting', nextAttemptAt: null });
      let openedAt: number | null = null;
      const end = await openWorkerEventStream({
        got: this.opts.got,
        ...r.target,
        signal,
        idleTimeoutMs: this.policy.idleTimeoutMs,
        limits: this.opts.limits,
        stats: r.state.sse,
        onOpen: () => {
          openedAt = this.now();
          this.update(r, { phase: 'open' });
        },
        onEvent: (event) => {
          r.state.lastEventAt = this.now();
          try {
            this.opts.onEvent(workerId, event);
          } catch {
            // A consumer's bug must not take the stream down with it.
          }
        },
      });
      if (signal.aborted) return this.update(r, { phase: 'stopped', nextAttemptAt: null });
      if (openedAt !== null && this.now() - openedAt >= this.policy.healthyAfterMs) attempt = 0;

      const status = end.kind === 'http' ? end.status : 0;
      if (status === 404) {
        const message = `event stream HTTP 404: worker ${workerId} is unknown to the API; stream stopped`;
        this.update(r, { phase: 'stopped', lastError: message, nextAttemptAt: null });
        this.opts.onProblem?.(workerId, message);
        return;
      }
      let delay: number;
      let message = describeEnd(end);
      if (status === 401 || status === 403) {
        delay = this.policy.authRetryMs;
        message += `: the token was rejected; retrying in ${Math.round(delay / 60_000)} min`;
        this.opts.onProblem?.(workerId, message);
      } else {
        delay = backoffDelay(attempt++, this.policy, this.opts.random);
      }
      this.update(r, { phase: 'backoff', lastError: message, nextAttemptAt: this.now() + delay });
      await this.sleep(delay, signal);
      if (signal.aborted) return this.update(r, { phase: 'stopped', nextAttemptAt: null });
      r.state.reconnects++;
    }
  }
}

function copyState(s: StreamState): StreamState {
  return { ...s, sse: { ...s.sse } };
}
