// Views the doors carry: supervisor status, log lines, fused workers, runs, connectivity (contract §5–§8).
import { z } from 'zod';
import { DerivedStatus } from './api.ts';
import { DesiredState, WorkerMode } from './state.ts';

export const RunState = z.enum(['stopped', 'starting', 'running', 'backing-off', 'crashed']);
export type RunState = z.infer<typeof RunState>;

export const ExitInfo = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  at: z.number().int(),
});
export type ExitInfo = z.infer<typeof ExitInfo>;

/** §5.7 plus what we add: draining while a stop waits for the run, next restart time, adoption. */
export const SupervisorStatus = z.object({
  id: z.string(),
  state: RunState,
  pid: z.number().int().nullable(),
  startedAt: z.number().int().nullable(),
  restarts: z.number().int().nonnegative(),
  lastExit: ExitInfo.nullable(),
  draining: z.boolean().default(false),
  nextRestartAt: z.number().int().nullable().default(null),
  adopted: z.boolean().default(false),
});
export type SupervisorStatus = z.infer<typeof SupervisorStatus>;

export const LogStream = z.enum(['out', 'err']);
export type LogStream = z.infer<typeof LogStream>;
/** §5.5 log line record. */
export const LogLine = z.object({ ts: z.number().int(), stream: LogStream, line: z.string() });
export type LogLine = z.infer<typeof LogLine>;

export const RemoteView = z.object({
  status: z.string(),
  derivedStatus: DerivedStatus.optional(),
  currentRunId: z.string().nullable(),
  version: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  disabled: z.boolean(),
});
export type RemoteView = z.infer<typeof RemoteView>;

export const LastEvent = z.object({ type: z.string(), at: z.string() });
export type LastEvent = z.infer<typeof LastEvent>;

/** §6 fused worker (what GET /api/workers and `status` frames carry). */
export const FusedWorker = z.object({
  id: z.string(),
  label: z.string(),
  mode: WorkerMode,
  apiUrl: z.string(),
  desiredState: DesiredState,
  local: SupervisorStatus.nullable(),
  remote: RemoteView.nullable(),
  lastEvent: LastEvent.nullable(),
  busy: z.boolean(),
  currentRunId: z.string().nullable(),
  workerVersion: z.string().nullable(),
  latestWorkerVersion: z.string().nullable(),
  versionStale: z.boolean(),
});
export type FusedWorker = z.infer<typeof FusedWorker>;

/** §3.5 one line of a run-event file. */
export const RunEvent = z.looseObject({
  seq: z.number(),
  type: z.string(),
  ts: z.union([z.string(), z.number()]),
  payload: z.unknown().optional(),
});
export type RunEvent = z.infer<typeof RunEvent>;

export const RunSummary = z.object({
  runId: z.string(),
  updatedAt: z.number().int(),
  bytes: z.number().int().nonnegative(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const Verdict = z.enum(['online', 'api-unreachable', 'offline', 'unknown']);
export type Verdict = z.infer<typeof Verdict>;
export const Probe = z.object({
  ok: z.boolean(),
  latencyMs: z.number().nullable(),
  status: z.number().int().nullable(),
  error: z.string().optional(),
});
export type Probe = z.infer<typeof Probe>;
export const ApiProbe = Probe.extend({ url: z.string() });
export type ApiProbe = z.infer<typeof ApiProbe>;
/** §8.9 connectivity sample; also one NDJSON line of connectivity.log. */
export const ConnectivitySample = z.object({
  ts: z.number(),
  verdict: Verdict,
  api: z.array(ApiProbe),
  internet: Probe,
});
export type ConnectivitySample = z.infer<typeof ConnectivitySample>;

/** §8.5 GET /api/self */
/**
 * The desktop app's own update (electron-updater), where the daemon is the desktop app: it
 * updates from its release feed and restarts into the new version, never by npm.
 */
export const DesktopUpdate = z.object({
  state: z.enum([
    'unsupported',
    'idle',
    'checking',
    'up-to-date',
    'downloading',
    'ready',
    'error',
    'restarting',
  ]),
  /** The version being downloaded or ready to install. */
  version: z.string().optional(),
  /** Download progress, 0–100. */
  percent: z.number().min(0).max(100).optional(),
  /** Why it cannot update (unsupported), or what failed (error), in plain words. */
  message: z.string().optional(),
});
export type DesktopUpdate = z.infer<typeof DesktopUpdate>;

export const SelfStatus = z.object({
  version: z.string(),
  latest: z.string().nullable(),
  stale: z.boolean(),
  lastCheckedAt: z.string().nullable(),
  /** The host's name, for the dashboard header (ours; the reference does not send it). */
  hostname: z.string().optional(),
  /** Only from a desktop app (ours): its own update, which replaces `latest`/`stale` there. */
  desktopUpdate: DesktopUpdate.optional(),
});
export type SelfStatus = z.infer<typeof SelfStatus>;
