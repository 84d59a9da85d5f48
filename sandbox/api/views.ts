// What the /sandbox controls show of the model: ISO times, derived status, and token metadata
// only (neither plaintexts nor hashes leave the emulator).
import type { Core } from './core.ts';
import { formatUserCode } from './enrollment.ts';
import type { Run, Worker } from './state.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const workerView = (core: Core, w: Worker) => ({
  ...core.workers.row(w),
  workspaceId: w.workspaceId,
  pool: w.pool,
  label: w.label,
  os: w.os,
  authMode: w.authMode,
  heartbeats: w.heartbeats,
  deleted: w.deletedAt !== null,
  deletedAt: iso(w.deletedAt),
  createdAt: iso(w.createdAt),
});

export const runView = (r: Run) => ({
  runId: r.id,
  workerId: r.workerId,
  status: r.status,
  failureKind: r.failureKind,
  error: r.error,
  prompt: r.prompt,
  durationMs: r.durationMs,
  events: r.events,
  createdAt: iso(r.createdAt),
  claimedAt: iso(r.claimedAt),
  finishedAt: iso(r.finishedAt),
});

export function stateDump(core: Core) {
  const { model } = core;
  return {
    url: core.url(),
    releases: model.releases,
    faults: core.faults.view(),
    workspaces: [...model.workspaces.values()],
    workers: [...model.workers.values()].map((w) => workerView(core, w)),
    runs: [...model.runs.values()].map(runView),
    devices: [...model.devices.values()].map((d) => ({
      id: d.id,
      userCode: formatUserCode(d.userCode),
      label: d.label,
      status: d.status,
      workspaceId: d.workspaceId,
      intervalSec: d.intervalSec,
      workerId: d.workerId,
      createdAt: iso(d.createdAt),
      expiresAt: iso(d.expiresAt),
    })),
    tokens: [...model.tokens.values()].map((t) => ({
      id: t.id,
      kind: t.kind,
      workspaceId: t.workspaceId,
      workerId: t.workerId,
      label: t.label,
      createdAt: iso(t.createdAt),
      expiresAt: iso(t.expiresAt),
      consumed: t.consumedAt !== null,
      revoked: t.revokedAt !== null,
    })),
    streams: core.sse.counts(),
  };
}
