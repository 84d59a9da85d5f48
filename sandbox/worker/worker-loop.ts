// The long-running part of `pipedai-worker run`: heartbeats on a fixed interval, claims a run
// whenever idle, plays it and reports its end. The API being down never stops it: failures are
// logged, `poll.error` is posted when they start and `poll.recovered` when a call works again, and
// the claim loop backs off (capped). `stop()` drains: no new claims, the in-flight run (events and
// finish call) completes, `worker.stopped` is posted, then `done` resolves with exit code 0.
import { setTimeout as delay } from 'node:timers/promises';
import { ApiCallError, isTransient, type SimClaimedRun, type WorkerApi } from './api-client.ts';
import { backoffMs } from './backoff.ts';
import type { Knobs } from './knobs.ts';
import type { Output } from './output.ts';
import { playRun } from './run-player.ts';

/** A finished run whose end cannot be reported is retried this often before the worker moves on. */
export const FINISH_ATTEMPTS = 10;

export interface WorkerDeps {
  workerId: string;
  knobs: Pick<Knobs, 'heartbeatMs' | 'pollMs' | 'runDurationMs'>;
  api: WorkerApi;
  output: Output;
  home: string;
  localRunEvents: boolean;
  now?: () => number;
}

export interface RunningWorker {
  /** Start draining; later calls only log. */
  stop(reason: string): void;
  /** The exit code, once drained and `worker.stopped` posted. */
  done: Promise<number>;
}

const describe = (error: unknown) =>
  error instanceof ApiCallError ? error.message : `unexpected error: ${String(error)}`;
const sleep = (ms: number) => (ms > 0 ? delay(ms) : Promise.resolve());

export function startWorker(deps: WorkerDeps): RunningWorker {
  const { api, output, knobs } = deps;
  const now = deps.now ?? Date.now;
  const stopSignal = new AbortController();
  let stopping = false;
  let currentRunId: string | null = null;
  let apiHealthy = true;
  let disabled = false;
  let heartbeatInFlight = false;

  /** Idle waits end early on stop; run timing never does. */
  const idle = (ms: number) => delay(ms, undefined, { signal: stopSignal.signal }).catch(() => {});

  const post = async (type: Parameters<WorkerApi['lifecycle']>[0]) => {
    try {
      await api.lifecycle(type);
    } catch (error) {
      output.err(`could not post ${type}: ${describe(error)}`);
    }
  };

  const sawSuccess = () => {
    if (apiHealthy) return;
    apiHealthy = true;
    output.out('API reachable again');
    void post('poll.recovered');
  };

  const sawFailure = (what: string, error: unknown) => {
    output.err(`${what} failed: ${describe(error)}`);
    if (!apiHealthy) return;
    apiHealthy = false;
    void post('poll.error');
  };

  const heartbeat = async () => {
    if (heartbeatInFlight) return;
    heartbeatInFlight = true;
    try {
      const answer = await api.heartbeat();
      sawSuccess();
      if (answer.disabled !== disabled) {
        disabled = answer.disabled;
        output.out(
          disabled
            ? 'worker disabled by the API: no runs will be assigned'
            : 'worker enabled by the API',
        );
      }
    } catch (error) {
      sawFailure('heartbeat', error);
    } finally {
      heartbeatInFlight = false;
    }
  };

  const finish = async (runId: string, events: number) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await api.finish(runId, 'succeeded');
        sawSuccess();
        output.out(`run ${runId} finished: succeeded (${events} events)`);
        return;
      } catch (error) {
        sawFailure(`finishing run ${runId}`, error);
        if (!isTransient(error) || attempt >= FINISH_ATTEMPTS) {
          output.err(`run ${runId}: giving up reporting its end after ${attempt} attempt(s)`);
          return;
        }
        await sleep(backoffMs(attempt, knobs.pollMs)); // not cut short by a drain: the run must be reported
      }
    }
  };

  const handle = async (run: SimClaimedRun) => {
    currentRunId = run.runId;
    const { events } = await playRun(run, {
      workerId: deps.workerId,
      home: deps.home,
      localRunEvents: deps.localRunEvents,
      defaultDurationMs: knobs.runDurationMs,
      output,
      now,
      sleep,
    });
    await finish(run.runId, events);
    currentRunId = null;
  };

  const claimLoop = async () => {
    let failures = 0;
    while (!stopping) {
      let wait = knobs.pollMs;
      try {
        const run = await api.claim();
        failures = 0;
        sawSuccess();
        if (run) {
          await handle(run); // a claim answered after stop() still runs: the API gave it to us
          wait = 0;
        }
      } catch (error) {
        failures++;
        sawFailure('claim', error);
        wait = backoffMs(failures, knobs.pollMs);
      }
      if (!stopping && wait > 0) await idle(wait);
    }
  };

  void heartbeat();
  const heartbeatTimer = setInterval(() => void heartbeat(), knobs.heartbeatMs);

  const done = (async () => {
    await post('worker.started');
    await claimLoop();
    await post('worker.stopped');
    clearInterval(heartbeatTimer);
    output.out('worker stopped');
    return 0;
  })();

  return {
    stop(reason) {
      if (stopping) {
        output.out(`${reason}: already stopping`);
        return;
      }
      stopping = true;
      stopSignal.abort();
      output.out(
        currentRunId
          ? `${reason}: finishing run ${currentRunId} before exiting`
          : `${reason}: stopping`,
      );
    },
    done,
  };
}
