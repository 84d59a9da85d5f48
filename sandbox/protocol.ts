// Worker-facing endpoints of the sandbox API emulator: our own design (the contract does not
// describe how pipedai-worker talks to pipedai-api). Shared by the emulator and the simulator.
// All of them take `authorization: Bearer <wkt_…>` except register, and every request from the
// simulator carries `x-pipedai-worker-version: <version>`.
import { z } from 'zod';

export const WORKER_VERSION_HEADER = 'x-pipedai-worker-version';

/** POST /api/v1/worker/register (no auth; the registration token is in the body, never argv-visible to the API logs). */
export const WorkerRegisterRequest = z.object({
  token: z.string().min(1),
  hostname: z.string().min(1).max(255),
  pool: z.boolean().default(false),
  authMode: z.string().optional(),
  version: z.string().optional(),
});
export const WorkerRegisterResponse = z.object({
  workerId: z.string().min(1),
  workerToken: z.string().startsWith('wkt_'),
  apiUrl: z.string().min(1),
  workspaceId: z.string().nullable(),
  isPool: z.boolean(),
});
export type WorkerRegisterResponse = z.infer<typeof WorkerRegisterResponse>;

/** POST /api/v1/worker/heartbeat → whether the server currently assigns runs to this worker. */
export const HeartbeatResponse = z.object({ ok: z.literal(true), disabled: z.boolean() });

/** A run as handed to a worker. `durationMs` and `events` are sandbox knobs set at enqueue time. */
export const ClaimedRun = z.object({
  runId: z.string().min(1),
  prompt: z.string(),
  durationMs: z.number().int().nonnegative(),
  /** How many events the simulator writes during the run (spread over durationMs). */
  events: z.number().int().nonnegative(),
});
export type ClaimedRun = z.infer<typeof ClaimedRun>;
/** POST /api/v1/worker/claim → `{run: null}` when nothing is queued or the worker is disabled. */
export const ClaimResponse = z.object({ run: ClaimedRun.nullable() });

/** POST /api/v1/worker/runs/{runId}/finish */
export const FinishRunRequest = z.object({
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  error: z.string().optional(),
});
export const FinishRunResponse = z.object({ ok: z.literal(true) });

/** POST /api/v1/worker/events: lifecycle events the emulator fans out on the worker's SSE stream. */
export const WorkerLifecycleRequest = z.object({
  type: z.enum([
    'worker.started',
    'worker.stopped',
    'poll.error',
    'poll.recovered',
    'concurrency.changed',
  ]),
});
