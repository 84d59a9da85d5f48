// Runs: queued by the sandbox operator for one worker, claimed by that worker (never while it is
// disabled or deleted; one at a time), finished by it, or failed as `infra` by the heartbeat
// sweeper when the worker holding it goes silent (contract §2.6).
import { randomUUID } from 'node:crypto';
import { ApiError, notFound } from './errors.ts';
import type { SseHub } from './sse.ts';
import type { Model, Run, Worker } from './state.ts';

export const MAX_QUEUED_PER_WORKER = 100;

export interface RunRequest {
  prompt: string;
  durationMs: number;
  events: number;
}

export interface Runs {
  enqueue(worker: Worker, request: RunRequest): Run;
  claim(worker: Worker): Run | null;
  finish(
    worker: Worker,
    runId: string,
    status: 'succeeded' | 'failed' | 'cancelled',
    error: string | null,
  ): Run;
  /** Cancel what is still queued for a deleted worker. */
  cancelQueued(worker: Worker): void;
  /** Fail the runs of workers whose last sign of life is older than the heartbeat TTL. */
  sweep(): void;
}

export function createRuns(deps: {
  model: Model;
  now: () => number;
  heartbeatTtlMs: number;
  sse: SseHub;
  changed: () => void;
}): Runs {
  const { model, now } = deps;
  const queuedFor = (worker: Worker) =>
    [...model.runs.values()].filter((r) => r.workerId === worker.id && r.status === 'queued');

  return {
    enqueue(worker, request) {
      if (queuedFor(worker).length >= MAX_QUEUED_PER_WORKER) {
        throw new ApiError(429, 'queue_full', {
          message: `at most ${MAX_QUEUED_PER_WORKER} queued runs per worker`,
        });
      }
      const run: Run = {
        id: randomUUID(),
        workerId: worker.id,
        ...request,
        status: 'queued',
        failureKind: null,
        error: null,
        createdAt: now(),
        claimedAt: null,
        finishedAt: null,
      };
      model.runs.set(run.id, run);
      deps.changed();
      return run;
    },
    claim(worker) {
      if (worker.disabled || worker.deletedAt !== null || worker.currentRunId !== null) return null;
      const run = queuedFor(worker)[0];
      if (!run) return null;
      run.status = 'running';
      run.claimedAt = now();
      worker.currentRunId = run.id;
      deps.changed();
      deps.sse.publish(worker.id, 'run.started', { runId: run.id });
      return run;
    },
    finish(worker, runId, status, error) {
      const run = model.runs.get(runId);
      if (!run) throw notFound('run');
      if (run.workerId !== worker.id) {
        throw new ApiError(403, 'forbidden', { message: 'this run belongs to another worker' });
      }
      if (run.status !== 'running') {
        throw new ApiError(409, 'run_not_running', { status: run.status });
      }
      run.status = status;
      run.error = error;
      run.finishedAt = now();
      if (worker.currentRunId === run.id) worker.currentRunId = null;
      deps.changed();
      deps.sse.publish(worker.id, 'run.finished', { runId: run.id, status });
      return run;
    },
    cancelQueued(worker) {
      for (const run of queuedFor(worker)) {
        run.status = 'cancelled';
        run.error = 'worker deleted';
        run.finishedAt = now();
      }
      deps.changed();
    },
    sweep() {
      const t = now();
      for (const worker of model.workers.values()) {
        if (worker.currentRunId === null) continue;
        const run = model.runs.get(worker.currentRunId);
        if (!run || run.status !== 'running') {
          worker.currentRunId = null; // a run pruned or finished elsewhere: do not stay busy
          deps.changed();
          continue;
        }
        const lastSign = Math.max(worker.lastSeenAt ?? 0, run.claimedAt ?? 0);
        if (t - lastSign <= deps.heartbeatTtlMs) continue;
        run.status = 'failed';
        run.failureKind = 'infra';
        run.error = 'worker heartbeat lost';
        run.finishedAt = t;
        worker.currentRunId = null;
        deps.changed();
        deps.sse.publish(worker.id, 'run.failed', { runId: run.id, failureKind: 'infra' });
      }
    },
  };
}
