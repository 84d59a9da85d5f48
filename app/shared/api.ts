// pipedai-api wire shapes (contract §2). Every response the orchestrator reads is parsed by one of these.
import { z } from 'zod';
import { PathSegment } from './util.ts';

/** Error bodies from the API: `{error: string, ...}` (§2.1). */
export const ApiErrorBody = z.looseObject({ error: z.string() });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

export const AuthMode = z.enum(['claude_max', 'api_key']);
export type AuthMode = z.infer<typeof AuthMode>;

/** POST /api/v1/enrollments/device */
export const DeviceStartRequest = z.object({ label: z.string().min(1).max(200).optional() });
export const DeviceStartResponse = z.object({
  id: z.string().min(1),
  deviceCode: z.string().min(1),
  userCode: z.string().min(1),
  verificationUri: z.string().min(1),
  verificationUriComplete: z.string().min(1),
  interval: z.number().nonnegative(),
  expiresAt: z.string().min(1),
});
export type DeviceStartResponse = z.infer<typeof DeviceStartResponse>;

const RedeemHostInfo = {
  hostname: z.string().min(1).max(255),
  os: z.string().min(1).max(64),
  version: z.string().min(1).max(64),
  label: z.string().min(1).max(200).optional(),
};
/** POST /api/v1/enrollments/redeem: flow A (code) or flow B (deviceCode). */
export const RedeemRequest = z.union([
  z.object({ code: z.string().min(1), ...RedeemHostInfo }),
  z.object({ deviceCode: z.string().min(1), ...RedeemHostInfo }),
]);
export type RedeemRequest = z.infer<typeof RedeemRequest>;
export const RedeemResponse = z.object({
  workerId: PathSegment,
  workerToken: z.string().startsWith('wkt_'),
  operatorToken: z.string().startsWith('hos_'),
  apiUrl: z.string().min(1),
  workspaceId: z.string().min(1),
  environmentId: z.string().min(1),
  authMode: AuthMode,
});
export type RedeemResponse = z.infer<typeof RedeemResponse>;

/** RFC 8628 error codes the redeem endpoint uses with status 400. */
export const DevicePollError = z.enum(['authorization_pending', 'slow_down']);

/** POST /api/v1/workspaces/{ws}/workers/registration-token */
export const RegistrationTokenRequest = z.object({ label: z.string().min(1).max(200).optional() });
export const RegistrationTokenResponse = z.object({
  token: z.string().startsWith('wrk_'),
  expiresAt: z.string().min(1),
  lastFour: z.string(),
  id: z.string().min(1),
});
export type RegistrationTokenResponse = z.infer<typeof RegistrationTokenResponse>;

export const DerivedStatus = z.enum(['busy', 'online', 'offline', 'disabled']);
export type DerivedStatus = z.infer<typeof DerivedStatus>;

/** A row of either worker list (§2.5); fields the orchestrator uses, others pass through. */
export const RemoteWorker = z.looseObject({
  id: z.string().min(1),
  status: z.enum(['online', 'offline']),
  derivedStatus: DerivedStatus.optional(),
  currentRunId: z.string().nullable().optional(),
  version: z.string().nullable().optional(),
  lastSeenAt: z.string().nullable(),
  disabled: z.boolean(),
});
export type RemoteWorker = z.infer<typeof RemoteWorker>;

export const WorkspaceWorkersResponse = z.object({
  items: z.array(RemoteWorker),
  nextCursor: z.string().nullable(),
});
export type WorkspaceWorkersResponse = z.infer<typeof WorkspaceWorkersResponse>;

export const PoolWorkersResponse = z.object({ items: z.array(RemoteWorker) });
export type PoolWorkersResponse = z.infer<typeof PoolWorkersResponse>;

/** GET /api/v1/releases/latest (§2.8). `latest` may be the literal `unknown`. */
const Release = z.object({ latest: z.string(), source: z.string() });
export const ReleasesResponse = z.object({ pipedaiWorker: Release, pipedaiOrchestrator: Release });
export type ReleasesResponse = z.infer<typeof ReleasesResponse>;

/** Data of one SSE event on the worker event stream (§2.7). */
export const WorkerStreamEvent = z.looseObject({
  type: z.string().optional(),
  ts: z.string().optional(),
});
export type WorkerStreamEvent = z.infer<typeof WorkerStreamEvent>;
export const KnownWorkerEventType = z.enum([
  'worker.started',
  'worker.stopped',
  'poll.error',
  'poll.recovered',
  'concurrency.changed',
]);

/** GET /api/v1/health: any 2xx; the sandbox answers this body. */
export const HealthResponse = z.looseObject({ ok: z.boolean() });
