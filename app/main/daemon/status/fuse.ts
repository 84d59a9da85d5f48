// Status fusion (contract §6): the manifest is the spine; every entry appears once, in order.
import {
  compareVersions,
  isVersion,
  normalizeApiUrl,
  type FusedWorker,
  type LastEvent,
  type ManifestEntry,
  type RemoteView,
  type RemoteWorker,
  type ResourceUse,
  type RunOutcome,
  type StaleReason,
  type SupervisorStatus,
  type WorkerRuntimeView,
} from '../../../shared/index.ts';

export interface FusionInputs {
  entries: readonly ManifestEntry[];
  local: (id: string) => SupervisorStatus | null;
  remote: (id: string) => RemoteView | null;
  lastEvent: (id: string) => LastEvent | null;
  /** Latest worker version per normalised apiUrl; `unknown` is already mapped to null. */
  latestWorkerVersion: (apiUrl: string) => string | null;
  /** Which pipedai-worker each worker runs (managed version, PATH, override). */
  runtime?: (id: string) => WorkerRuntimeView | null;
  /** Its process tree's CPU and memory, while it runs. */
  resources?: (id: string) => ResourceUse | null;
  /** Why its remote status is out of date, or null while it holds (`staleReasonOf`). */
  staleness?: (entry: ManifestEntry, remote: RemoteView) => StaleReason | null;
  /** The last line it wrote on stderr. */
  lastStderr?: (id: string) => { line: string; ts: number } | null;
  /** How its latest runs ended, newest first. */
  recentRuns?: (id: string) => RunOutcome[];
}

export function toRemoteView(row: RemoteWorker): RemoteView {
  const view: RemoteView = {
    status: row.status,
    currentRunId: row.currentRunId ?? null,
    version: row.version ?? null,
    lastSeenAt: row.lastSeenAt,
    disabled: row.disabled,
  };
  if (row.derivedStatus !== undefined) view.derivedStatus = row.derivedStatus;
  return view;
}

/** Precedence disabled > busy > online > offline when the API omits derivedStatus. */
export function derivedStatus(remote: RemoteView): NonNullable<RemoteView['derivedStatus']> {
  if (remote.derivedStatus) return remote.derivedStatus;
  if (remote.disabled) return 'disabled';
  if (remote.currentRunId) return 'busy';
  return remote.status === 'online' ? 'online' : 'offline';
}

/**
 * Stale only when both are versions and the worker's is older: compared as strings, `unknown`
 * or a newer-than-latest worker would read as stale and Upgrade would downgrade.
 */
export function isVersionStale(current: string | null, latest: string | null): boolean {
  if (!isVersion(current) || !isVersion(latest)) return false;
  return (compareVersions(current, latest) ?? 0) < 0;
}

export function fuseWorkers(inputs: FusionInputs): FusedWorker[] {
  return inputs.entries.map((entry) => {
    const remote = withStaleness(inputs.remote(entry.id), entry, inputs);
    const latest = inputs.latestWorkerVersion(normalizeApiUrl(entry.apiUrl));
    const workerVersion = remote?.version ?? null;
    return {
      id: entry.id,
      label: entry.label,
      mode: entry.mode,
      apiUrl: entry.apiUrl,
      desiredState: entry.desiredState,
      local: inputs.local(entry.id),
      remote,
      lastEvent: inputs.lastEvent(entry.id),
      busy: remote !== null && derivedStatus(remote) === 'busy',
      currentRunId: remote?.currentRunId ?? null,
      workerVersion,
      latestWorkerVersion: latest,
      versionStale: isVersionStale(workerVersion, latest),
      runtime: inputs.runtime?.(entry.id) ?? null,
      resources: inputs.resources?.(entry.id) ?? null,
      lastStderr: inputs.lastStderr?.(entry.id) ?? null,
      recentRuns: inputs.recentRuns?.(entry.id) ?? [],
    };
  });
}

/** The remote view as held, marked stale (with why) when it no longer holds. */
function withStaleness(
  remote: RemoteView | null,
  entry: ManifestEntry,
  inputs: FusionInputs,
): RemoteView | null {
  if (!remote) return null;
  const reason = inputs.staleness?.(entry, remote) ?? null;
  if (reason === null) return { ...remote, stale: false };
  return { ...remote, stale: true, staleReason: reason };
}
