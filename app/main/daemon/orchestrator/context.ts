// What every Orchestrator operation shares: its parts, and the small helpers over them.
import {
  CommandError,
  normalizeApiUrl,
  type FusedWorker,
  type ManifestEntry,
} from '../../../shared/index.ts';
import type { Paths } from '../paths.ts';
import type {
  ApiPort,
  CredentialsPort,
  ManifestPort,
  SupervisorPort,
  WorkerConfigPort,
  WorkerTarget,
} from '../deps.ts';
import type { WorkerRuntime } from '../runtime/index.ts';
import type { WorkerCli } from '../tools/worker-cli.ts';

export interface Timings {
  /** Remote list poll and manifest re-read (contract: 15 s). */
  refreshMs: number;
  /** Version check per environment (contract: daily). */
  releasesMs: number;
  /** First retry after a failed version check; doubles up to releasesMs. */
  releasesRetryMs: number;
  /**
   * The operator's ceiling on any drain (stop, disable, delete, worker upgrade, shutdown): past
   * it the worker's tree is killed. null (the default): a drain waits for the run however long.
   */
  drainCeilingMs: number | null;
  /** Poll interval while waiting for a drain. */
  drainPollMs: number;
  /** How often runs/ is pruned (and disk use measured again). */
  housekeepingMs: number;
  /** After an upgrade, a crash loop within this long rolls the worker back by itself. */
  rollbackWindowMs: number;
  /** At most one `status` frame per this interval. */
  statusCoalesceMs: number;
}

export const DEFAULT_TIMINGS: Timings = {
  refreshMs: 15_000,
  releasesMs: 24 * 60 * 60_000,
  releasesRetryMs: 30_000,
  drainCeilingMs: null,
  drainPollMs: 2_000,
  housekeepingMs: 3_600_000,
  rollbackWindowMs: 5 * 60_000,
  statusCoalesceMs: 250,
};

export interface Ctx {
  paths: Paths;
  manifest: ManifestPort;
  credentials: CredentialsPort;
  workerConfigs: WorkerConfigPort;
  supervisor: SupervisorPort;
  api: ApiPort;
  workerCli: WorkerCli;
  runtime: WorkerRuntime;
  hostname: string;
  timings: Timings;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** The fused view, read fresh. */
  fused(): Promise<FusedWorker[]>;
  /** Poll remote lists now (verbs call it so their answer reflects the server). */
  refreshRemote(): Promise<void>;
  /** Supervise what the manifest says, start event streams for new workers, push status. */
  afterChange(): Promise<void>;
}

export async function entryOrThrow(ctx: Ctx, id: string): Promise<ManifestEntry> {
  const entry = await ctx.manifest.get(id);
  if (!entry) throw new CommandError('not-found', `no worker ${id} on this host`, 'id');
  return entry;
}

export async function operatorTokenOrThrow(ctx: Ctx, apiUrl: string): Promise<string> {
  const url = normalizeApiUrl(apiUrl);
  const token = await ctx.credentials.operatorToken(url);
  if (!token) {
    throw new CommandError(
      'precondition',
      `no operator credential for ${url}: run \`pipedai-orchestrator connect --api-url ${url}\` (or \`login --api-url ${url}\`) first`,
    );
  }
  return token;
}

/** The server-side identity of a workspace worker; explains the fix when workspaceId is missing. */
export function workspaceTarget(entry: ManifestEntry): WorkerTarget {
  if (!entry.workspaceId) {
    throw new CommandError(
      'precondition',
      `worker ${entry.label} has no workspaceId (registered by pipedai-worker older than 1.3.5): delete it and build it again with a current worker to manage it server-side`,
    );
  }
  return { mode: 'workspace', workspaceId: entry.workspaceId, workerId: entry.id };
}

/** A pool worker's own wkt_, read from its config, for self-disable/self-enable. */
export async function poolWorkerToken(ctx: Ctx, entry: ManifestEntry): Promise<string> {
  const cfg = await ctx.workerConfigs.read(entry.configPath);
  if (!cfg.workerToken?.startsWith('wkt_')) {
    throw new CommandError(
      'precondition',
      `the config of pool worker ${entry.label} holds no worker token (wkt_…); re-register it`,
    );
  }
  return cfg.workerToken;
}
