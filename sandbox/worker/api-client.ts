// The simulator's side of the worker-facing protocol (sandbox/protocol.ts). Every request carries
// the version header; answers are parsed, never cast. Errors name the method and path, the status
// and the API's `error` code, and never carry a token.
import { z } from 'zod';
import { describeZodError } from '../../app/shared/errors.ts';
import { isSafeSegment, normalizeApiUrl, scrubTokens } from '../../app/shared/util.ts';
import {
  ClaimedRun,
  ClaimResponse,
  FinishRunResponse,
  HeartbeatResponse,
  WORKER_VERSION_HEADER,
  WorkerRegisterResponse,
} from '../protocol.ts';

export const REQUEST_TIMEOUT_MS = 10_000;

export class ApiCallError extends Error {
  /** HTTP status; 0 for a transport failure or timeout. */
  readonly status: number;
  /** The API's `error` code when it sent one. */
  readonly code: string | null;
  constructor(status: number, code: string | null, message: string) {
    super(scrubTokens(message));
    this.name = 'ApiCallError';
    this.status = status;
    this.code = code;
  }
}

/** A failure worth retrying: transport, timeout, throttling or a server error. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiCallError)) return false;
  return error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;
}

/** A claim as the simulator accepts it: duration and event count fall back to the worker's defaults. */
const SimClaimedRun = ClaimedRun.extend({
  // It names the run-event file.
  runId: ClaimedRun.shape.runId.refine(isSafeSegment, 'must be a safe file name'),
  durationMs: ClaimedRun.shape.durationMs.optional(),
  events: ClaimedRun.shape.events.max(10_000).optional(),
});
export type SimClaimedRun = z.infer<typeof SimClaimedRun>;
const SimClaimResponse = ClaimResponse.extend({ run: SimClaimedRun.nullable() });

const ErrorBody = z.object({ error: z.string() });

export interface RegisterBody {
  token: string;
  hostname: string;
  pool: boolean;
  authMode: string;
  version: string;
}

export interface WorkerApi {
  register(body: RegisterBody): Promise<WorkerRegisterResponse>;
  heartbeat(): Promise<{ disabled: boolean }>;
  claim(): Promise<SimClaimedRun | null>;
  finish(runId: string, status: 'succeeded' | 'failed' | 'cancelled'): Promise<void>;
  lifecycle(
    type: 'worker.started' | 'worker.stopped' | 'poll.error' | 'poll.recovered',
  ): Promise<void>;
}

export function createWorkerApi(opts: {
  apiUrl: string;
  /** The worker's `wkt_`; absent for register. */
  workerToken?: string;
  version: string;
  timeoutMs?: number;
}): WorkerApi {
  const base = normalizeApiUrl(opts.apiUrl);
  const timeoutMs = opts.timeoutMs ?? REQUEST_TIMEOUT_MS;

  async function call<S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.output<S>> {
    const what = `POST ${path.replace(/\/runs\/[^/]+\//, '/runs/:id/')}`;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [WORKER_VERSION_HEADER]: opts.version,
    };
    if (opts.workerToken) headers.authorization = `Bearer ${opts.workerToken}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body ?? {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new ApiCallError(0, null, `network error calling ${what}: ${transportCause(error)}`);
    }
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: reported below by status or schema
    }
    if (!response.ok) {
      const code = ErrorBody.safeParse(json);
      const error = code.success ? code.data.error : null;
      throw new ApiCallError(
        response.status,
        error,
        `${what} answered HTTP ${response.status}${error ? ` (${error.slice(0, 80)})` : ''}`,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiCallError(
        response.status,
        null,
        `${what} answered an unexpected body: ${describeZodError(parsed.error)}`,
      );
    }
    return parsed.data;
  }

  return {
    register: (body) => call('/api/v1/worker/register', body, WorkerRegisterResponse),
    heartbeat: async () => {
      const r = await call('/api/v1/worker/heartbeat', {}, HeartbeatResponse);
      return { disabled: r.disabled };
    },
    claim: async () => (await call('/api/v1/worker/claim', {}, SimClaimResponse)).run,
    finish: async (runId, status) => {
      await call(
        `/api/v1/worker/runs/${encodeURIComponent(runId)}/finish`,
        { status },
        FinishRunResponse,
      );
    },
    lifecycle: async (type) => {
      await call('/api/v1/worker/events', { type }, z.unknown());
    },
  };
}

const FetchCause = z.object({ code: z.string() });

/** `ECONNREFUSED`, `timeout`…: what fetch's error says, short. */
function transportCause(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
  const cause = FetchCause.safeParse(error.cause);
  return cause.success ? cause.data.code : error.message.slice(0, 200);
}
