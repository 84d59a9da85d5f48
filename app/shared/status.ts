// Views the doors carry: supervisor status, log lines, fused workers, runs, connectivity (contract §5–§8).
import { z } from 'zod';
import { DerivedStatus } from './api.ts';
import { DesiredState, WorkerMode } from './state.ts';
import { WorkerEnvironment, WorkerRuntimeView } from './runtime.ts';

/** §5.1 plus `needs-runtime`: enabled, but its worker runtime is not installed (never a crash loop). */
export const RunState = z.enum([
  'stopped',
  'starting',
  'running',
  'backing-off',
  'crashed',
  'needs-runtime',
]);
export type RunState = z.infer<typeof RunState>;

export const ExitInfo = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  at: z.number().int(),
});
export type ExitInfo = z.infer<typeof ExitInfo>;

/**
 * §5.7 plus what we add: draining (and since when) while a stop waits for the run, next restart
 * time, adoption.
 */
export const SupervisorStatus = z.object({
  id: z.string(),
  state: RunState,
  pid: z.number().int().nullable(),
  startedAt: z.number().int().nullable(),
  restarts: z.number().int().nonnegative(),
  lastExit: ExitInfo.nullable(),
  draining: z.boolean().default(false),
  /** When the drain began (epoch ms); null when not draining. */
  drainingSince: z.number().int().nullable().default(null),
  nextRestartAt: z.number().int().nullable().default(null),
  adopted: z.boolean().default(false),
});
export type SupervisorStatus = z.infer<typeof SupervisorStatus>;

export const LogStream = z.enum(['out', 'err']);
export type LogStream = z.infer<typeof LogStream>;
/** §5.5 log line record. */
export const LogLine = z.object({ ts: z.number().int(), stream: LogStream, line: z.string() });
export type LogLine = z.infer<typeof LogLine>;

/**
 * Why a worker's remote status is out of date (ours): this host cannot reach its pipedai-api
 * (`api-unreachable`), has no network at all (`offline`), could not read the worker list
 * (`poll-failed`), or the API still says online while the last heartbeat is older than a healthy
 * worker's ever is (`heartbeat-late`; `staleReasonOf` in health.ts decides).
 */
export const StaleReason = z.enum(['offline', 'api-unreachable', 'poll-failed', 'heartbeat-late']);
export type StaleReason = z.infer<typeof StaleReason>;

export const RemoteView = z.object({
  status: z.string(),
  derivedStatus: DerivedStatus.optional(),
  currentRunId: z.string().nullable(),
  version: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  disabled: z.boolean(),
  /**
   * The fields above are the last word PipedAI gave, and it is out of date (ours; absent from
   * older orchestrators, read as false): never show them as the current truth.
   */
  stale: z.boolean().optional(),
  staleReason: StaleReason.optional(),
});
export type RemoteView = z.infer<typeof RemoteView>;

export const LastEvent = z.object({ type: z.string(), at: z.string() });
export type LastEvent = z.infer<typeof LastEvent>;

/**
 * What a worker's whole process tree (the worker and its children, where the runs happen) uses,
 * from the daemon's one sampler (ours).
 */
export const ResourceUse = z.object({
  /** CPU over the last sampling interval, in % of one core (200 = two cores busy). */
  cpuPercent: z.number().nonnegative(),
  /** Resident memory of the tree, in bytes. */
  rssBytes: z.number().int().nonnegative(),
  /** Processes in the tree. */
  processes: z.number().int().nonnegative(),
  /** When it was sampled (epoch ms). */
  at: z.number().int(),
});
export type ResourceUse = z.infer<typeof ResourceUse>;

/** One sampler tick: each running worker's figures and the host's totals over them. */
export const ResourceSample = z.object({
  at: z.number().int(),
  totals: z.object({
    cpuPercent: z.number().nonnegative(),
    rssBytes: z.number().int().nonnegative(),
  }),
  workers: z.record(z.string(), ResourceUse),
});
export type ResourceSample = z.infer<typeof ResourceSample>;

/** GET /api/resources: the last ten minutes of samples, oldest first (ours). */
export const ResourcesView = z.object({
  /** False where this OS gives the sampler nothing (the figures read n/a); `reason` says why. */
  available: z.boolean(),
  reason: z.string().optional(),
  intervalMs: z.number().int().positive(),
  windowMs: z.number().int().positive(),
  samples: z.array(ResourceSample),
});
export type ResourcesView = z.infer<typeof ResourcesView>;

/** How a run ended, read from its file: its `result` event, or none (ours). */
export const RunOutcome = z.enum(['succeeded', 'failed', 'cancelled', 'running']);
export type RunOutcome = z.infer<typeof RunOutcome>;

/** How many of a worker's latest runs its row's strip shows. */
export const RECENT_RUNS = 20;

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
  /** Which pipedai-worker runs it (absent from older orchestrators: optional). */
  runtime: WorkerRuntimeView.nullable().optional(),
  /** Its process tree's CPU and memory; null when not running or not measurable here (n/a). */
  resources: ResourceUse.nullable().optional(),
  /** The last line it wrote on stderr (cut to 500 characters), for a crash loop's row (ours). */
  lastStderr: z.object({ line: z.string(), ts: z.number().int() }).nullable().optional(),
  /** How its latest runs ended, newest first (at most RECENT_RUNS; ours). */
  recentRuns: z.array(RunOutcome).max(RECENT_RUNS).optional(),
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

/**
 * How a run's `result` event says it ended: `is_error` or an `error…` subtype failed, a
 * cancel or interrupt subtype was cancelled; null when the event is not a result.
 */
export function runOutcomeOf(event: RunEvent): RunOutcome | null {
  if (event.type !== 'result') return null;
  const p = (typeof event.payload === 'object' && event.payload !== null ? event.payload : {}) as {
    subtype?: unknown;
    is_error?: unknown;
  };
  const subtype = typeof p.subtype === 'string' ? p.subtype : '';
  if (/cancel|interrupt|abort/i.test(subtype)) return 'cancelled';
  if (p.is_error === true || subtype.startsWith('error')) return 'failed';
  return 'succeeded';
}

export const RunSummary = z.object({
  runId: z.string(),
  updatedAt: z.number().int(),
  bytes: z.number().int().nonnegative(),
  /** Absent from older orchestrators. */
  outcome: RunOutcome.optional(),
  /** When its first event was written (epoch ms; ours). */
  startedAt: z.number().int().optional(),
  /** How long it took, once ended: the result's `duration_ms`, else first to last event (ours). */
  durationMs: z.number().int().nonnegative().optional(),
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

/** Bytes the daemon's files take on disk. */
export const DiskUsage = z.object({
  /** logs/: the captured worker logs (<id>.log and .log.1). */
  logsBytes: z.number().int().nonnegative(),
  /** The workers' raw output files the daemon tails (blocks already read are given back). */
  captureBytes: z.number().int().nonnegative(),
  /** runs/: run-event files (pruned by age and total size). */
  runsBytes: z.number().int().nonnegative(),
  /** connectivity.log and connectivity.log.1. */
  connectivityBytes: z.number().int().nonnegative(),
  measuredAt: z.number().int(),
});
export type DiskUsage = z.infer<typeof DiskUsage>;

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

/** §8.5 GET /api/self */
export const SelfStatus = z.object({
  version: z.string(),
  latest: z.string().nullable(),
  stale: z.boolean(),
  lastCheckedAt: z.string().nullable(),
  /** The host's name, for the dashboard header. */
  hostname: z.string().optional(),
  /** Where the workers' environment comes from (ours). */
  environment: WorkerEnvironment.optional(),
  disk: DiskUsage.optional(),
  /** Only from a desktop app (ours): its own update, which replaces `latest`/`stale` there. */
  desktopUpdate: DesktopUpdate.optional(),
});
export type SelfStatus = z.infer<typeof SelfStatus>;
