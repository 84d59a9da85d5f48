// The worker registry: registration with (workspace, hostname) de-duplication (contract §3.1),
// heartbeats, the list rows of §2.5 with their heartbeat-derived status, and the lifecycle
// verbs of §2.6 (disable, enable, soft delete that revokes the worker's `wkt_`).
import { randomUUID } from 'node:crypto';
import type { AuthMode, DerivedStatus } from '../../app/shared/index.ts';
import { ApiError } from './errors.ts';
import type { SseHub } from './sse.ts';
import type { Model, Worker } from './state.ts';
import type { TokenBook } from './tokens.ts';

export interface WorkerIdentity {
  workspaceId: string | null;
  pool: boolean;
  hostname: string;
  authMode: AuthMode;
  label?: string | null;
  os?: string | null;
  version?: string | null;
}

export interface WorkerRow {
  id: string;
  hostname: string;
  status: 'online' | 'offline';
  derivedStatus: DerivedStatus;
  currentRunId: string | null;
  version: string | null;
  lastSeenAt: string | null;
  disabled: boolean;
  [extra: string]: unknown;
}

export const LIST_LIMIT = { default: 50, max: 200 };

export interface Workers {
  /** Create, or update the live worker with the same (workspace or pool, hostname); issues a fresh `wkt_`. */
  register(identity: WorkerIdentity): { worker: Worker; workerToken: string; created: boolean };
  /** A worker that exists and is not deleted. */
  live(id: string): Worker | undefined;
  row(worker: Worker): WorkerRow;
  listWorkspace(
    workspaceId: string,
    cursor: string | null,
    limit: number,
  ): { items: WorkerRow[]; nextCursor: string | null };
  listPool(): { items: WorkerRow[] };
  setDisabled(worker: Worker, disabled: boolean): void;
  remove(worker: Worker): void;
  heartbeat(worker: Worker, version: string | undefined): void;
  isOnline(worker: Worker): boolean;
}

export function createWorkers(deps: {
  model: Model;
  now: () => number;
  heartbeatTtlMs: number;
  tokens: TokenBook;
  sse: SseHub;
  changed: () => void;
  /** Called when a worker is deleted, so its queued runs can be cancelled. */
  onRemoved: (worker: Worker) => void;
}): Workers {
  const { model, now } = deps;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const isOnline = (w: Worker) =>
    w.lastSeenAt !== null && now() - w.lastSeenAt < deps.heartbeatTtlMs;

  const derived = (w: Worker): DerivedStatus => {
    if (w.disabled) return 'disabled';
    if (w.currentRunId !== null) return 'busy';
    return isOnline(w) ? 'online' : 'offline';
  };

  const row = (w: Worker): WorkerRow => ({
    id: w.id,
    hostname: w.hostname,
    status: isOnline(w) ? 'online' : 'offline',
    derivedStatus: derived(w),
    currentRunId: w.currentRunId,
    version: w.version,
    lastSeenAt: iso(w.lastSeenAt),
    disabled: w.disabled,
  });

  const live = (id: string) => {
    const w = model.workers.get(id);
    return w && w.deletedAt === null ? w : undefined;
  };

  return {
    live,
    isOnline,
    row,
    register(identity) {
      const existing = [...model.workers.values()].find(
        (w) =>
          w.deletedAt === null &&
          w.pool === identity.pool &&
          w.workspaceId === identity.workspaceId &&
          w.hostname === identity.hostname,
      );
      const worker: Worker = existing ?? {
        id: randomUUID(),
        workspaceId: identity.workspaceId,
        pool: identity.pool,
        hostname: identity.hostname,
        label: null,
        os: null,
        authMode: identity.authMode,
        version: null,
        lastSeenAt: null,
        heartbeats: 0,
        disabled: false,
        deletedAt: null,
        currentRunId: null,
        createdAt: now(),
      };
      worker.authMode = identity.authMode;
      if (identity.label) worker.label = identity.label;
      if (identity.os) worker.os = identity.os;
      if (identity.version && identity.version !== 'unknown') worker.version = identity.version;
      if (!existing) model.workers.set(worker.id, worker);
      // One live durable token per worker: re-registration rotates it.
      deps.tokens.revokeWorkerTokens(worker.id);
      const { token } = deps.tokens.mint('wkt', {
        workerId: worker.id,
        workspaceId: worker.workspaceId,
      });
      deps.changed();
      return { worker, workerToken: token, created: !existing };
    },
    listWorkspace(workspaceId, cursor, limit) {
      const all = [...model.workers.values()].filter(
        (w) => w.workspaceId === workspaceId && !w.pool,
      );
      let start = 0;
      if (cursor !== null) {
        const afterId = Buffer.from(cursor, 'base64url').toString('utf8');
        const index = all.findIndex((w) => w.id === afterId);
        if (index < 0)
          throw new ApiError(400, 'invalid_request', {
            field: 'cursor',
            message: 'unknown cursor',
          });
        start = index + 1;
      }
      // Deleted workers keep their place so cursors stay valid; they are just not shown.
      const visible = all.slice(start).filter((w) => w.deletedAt === null);
      const page = visible.slice(0, limit);
      const last = page.at(-1);
      const nextCursor =
        visible.length > limit && last ? Buffer.from(last.id, 'utf8').toString('base64url') : null;
      return {
        items: page.map((w) => ({
          ...row(w),
          workspaceId: w.workspaceId,
          label: w.label,
          os: w.os,
          authMode: w.authMode,
          createdAt: iso(w.createdAt),
        })),
        nextCursor,
      };
    },
    listPool() {
      const items = [...model.workers.values()].filter((w) => w.pool && w.deletedAt === null);
      return { items: items.map(row) };
    },
    setDisabled(worker, disabled) {
      if (worker.disabled === disabled) return;
      worker.disabled = disabled;
      deps.changed();
      deps.sse.publish(worker.id, disabled ? 'worker.disabled' : 'worker.enabled');
    },
    remove(worker) {
      worker.deletedAt = now();
      deps.tokens.revokeWorkerTokens(worker.id);
      deps.onRemoved(worker);
      deps.changed();
      deps.sse.publish(worker.id, 'worker.deleted');
      deps.sse.closeWorker(worker.id);
    },
    heartbeat(worker, version) {
      worker.lastSeenAt = now();
      worker.heartbeats++;
      if (version !== undefined) worker.version = version;
      deps.changed();
    },
  };
}
