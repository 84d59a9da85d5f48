// The emulator's model and its on-disk form (`<stateDir>/state.json`). Tokens are kept as
// SHA-256 hashes only, so neither the file nor any dump holds a token plaintext.
import { z } from 'zod';
import { AuthMode } from '../../app/shared/index.ts';

const Ms = z.number().int().nonnegative();
const Id = z.string().min(1).max(200);

export const TokenKind = z.enum(['enr', 'wrk', 'pool', 'wkt', 'hos', 'pwk', 'pop', 'admin']);
export type TokenKind = z.infer<typeof TokenKind>;

export const TokenRecord = z.object({
  id: Id,
  kind: TokenKind,
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  lastFour: z.string().max(4),
  workspaceId: Id.nullable(),
  workerId: Id.nullable(),
  label: z.string().max(200).nullable(),
  createdAt: Ms,
  expiresAt: Ms.nullable(),
  consumedAt: Ms.nullable(),
  revokedAt: Ms.nullable(),
});
export type TokenRecord = z.infer<typeof TokenRecord>;

export const Workspace = z.object({
  id: Id,
  environmentId: Id,
  authMode: AuthMode,
  createdAt: Ms,
});
export type Workspace = z.infer<typeof Workspace>;

export const Worker = z.object({
  id: Id,
  workspaceId: Id.nullable(),
  pool: z.boolean(),
  hostname: z.string().min(1).max(255),
  label: z.string().max(200).nullable(),
  os: z.string().max(64).nullable(),
  authMode: AuthMode,
  version: z.string().max(64).nullable(),
  lastSeenAt: Ms.nullable(),
  heartbeats: z.number().int().nonnegative(),
  disabled: z.boolean(),
  deletedAt: Ms.nullable(),
  currentRunId: Id.nullable(),
  createdAt: Ms,
});
export type Worker = z.infer<typeof Worker>;

export const RunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export const Run = z.object({
  id: Id,
  workerId: Id,
  prompt: z.string().max(10_000),
  durationMs: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  status: RunStatus,
  /** `infra` when the heartbeat sweeper failed it (contract §2.6). */
  failureKind: z.literal('infra').nullable(),
  error: z.string().max(2000).nullable(),
  createdAt: Ms,
  claimedAt: Ms.nullable(),
  finishedAt: Ms.nullable(),
});
export type Run = z.infer<typeof Run>;

export const DeviceEnrollment = z.object({
  id: Id,
  deviceCodeHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Normalised: eight letters, no dash. Not a secret: it is shown to the operator. */
  userCode: z.string().length(8),
  label: z.string().max(200).nullable(),
  status: z.enum(['pending', 'approved', 'denied', 'consumed']),
  /** Set on approval: the workspace the host joins. */
  workspaceId: Id.nullable(),
  intervalSec: z.number().int().positive(),
  lastPollAt: Ms.nullable(),
  workerId: Id.nullable(),
  createdAt: Ms,
  expiresAt: Ms,
});
export type DeviceEnrollment = z.infer<typeof DeviceEnrollment>;

export const Releases = z.object({ worker: z.string().min(1), orchestrator: z.string().min(1) });
export type Releases = z.infer<typeof Releases>;

export const StateFile = z.object({
  version: z.literal(1),
  workspaces: z.array(Workspace),
  tokens: z.array(TokenRecord),
  workers: z.array(Worker),
  runs: z.array(Run),
  devices: z.array(DeviceEnrollment),
  releases: Releases,
});
export type StateFile = z.infer<typeof StateFile>;

/** In memory: maps keep insertion order, which is creation order (the list order). */
export interface Model {
  workspaces: Map<string, Workspace>;
  /** Keyed by token hash. */
  tokens: Map<string, TokenRecord>;
  workers: Map<string, Worker>;
  runs: Map<string, Run>;
  devices: Map<string, DeviceEnrollment>;
  releases: Releases;
}

export const DEFAULT_RELEASES: Releases = { worker: '1.3.14', orchestrator: '0.8.0' };

export function modelFrom(file: StateFile | null): Model {
  const byId = <T extends { id: string }>(xs: T[]) => new Map(xs.map((x) => [x.id, x]));
  return {
    workspaces: byId(file?.workspaces ?? []),
    tokens: new Map((file?.tokens ?? []).map((t) => [t.hash, t])),
    workers: byId(file?.workers ?? []),
    runs: byId(file?.runs ?? []),
    devices: byId(file?.devices ?? []),
    releases: file?.releases ?? { ...DEFAULT_RELEASES },
  };
}

export function snapshotOf(model: Model): StateFile {
  return {
    version: 1,
    workspaces: [...model.workspaces.values()],
    tokens: [...model.tokens.values()],
    workers: [...model.workers.values()],
    runs: [...model.runs.values()],
    devices: [...model.devices.values()],
    releases: model.releases,
  };
}

/** Caps that keep the model (and the file) bounded; the oldest finished entries go first. */
export const LIMITS = { tokens: 20_000, workers: 10_000, runs: 2_000, devices: 1_000 };

function dropOldest<K, V>(map: Map<K, V>, max: number, removable: (v: V) => boolean): void {
  if (map.size <= max) return;
  for (const [key, value] of map) {
    if (map.size <= max) return;
    if (removable(value)) map.delete(key);
  }
}

export function prune(model: Model, now: number): void {
  dropOldest(
    model.tokens,
    LIMITS.tokens,
    (t) =>
      t.revokedAt !== null || t.consumedAt !== null || (t.expiresAt !== null && t.expiresAt <= now),
  );
  dropOldest(model.runs, LIMITS.runs, (r) => r.finishedAt !== null);
  dropOldest(model.devices, LIMITS.devices, (d) => d.status !== 'pending' || d.expiresAt <= now);
  dropOldest(model.workers, LIMITS.workers, (w) => w.deletedAt !== null);
}

/** Tokens and codes minted without a workspace land here. */
export const DEFAULT_WORKSPACE_ID = 'ws_sandbox';

export function ensureWorkspace(model: Model, id: string, now: number): Workspace {
  let workspace = model.workspaces.get(id);
  if (!workspace) {
    workspace = {
      id,
      environmentId: `env_${id.replace(/^ws_/, '')}`,
      authMode: 'claude_max',
      createdAt: now,
    };
    model.workspaces.set(id, workspace);
  }
  return workspace;
}
