// Builders for the shell's unit tests: fused workers and supervisor statuses in a given state.
import type { FusedWorker, RemoteView, RunState, SupervisorStatus } from '../../../shared/index.ts';
import { initialShellState, type ShellState } from './shell-state.ts';

export function local(state: RunState, over: Partial<SupervisorStatus> = {}): SupervisorStatus {
  const live = state === 'running' || state === 'starting';
  return {
    id: 'w',
    state,
    pid: live ? 4242 : null,
    startedAt: live ? 1_700_000_000_000 : null,
    restarts: 0,
    lastExit: null,
    draining: false,
    drainingSince: null,
    nextRestartAt: null,
    adopted: false,
    ...over,
  };
}

export function worker(
  id: string,
  state: RunState | null,
  over: Partial<FusedWorker> & { restarts?: number } = {},
): FusedWorker {
  const { restarts, ...rest } = over;
  return {
    id,
    label: id,
    mode: 'workspace',
    apiUrl: 'https://api.pipedai.app',
    desiredState: 'enabled',
    local: state === null ? null : local(state, { id, ...(restarts ? { restarts } : {}) }),
    remote: null,
    lastEvent: null,
    busy: false,
    currentRunId: null,
    workerVersion: null,
    latestWorkerVersion: null,
    versionStale: false,
    ...rest,
  };
}

/** PipedAI's view of a worker: online and current, unless `over` says otherwise. */
export function remote(over: Partial<RemoteView> = {}): RemoteView {
  return {
    status: 'online',
    currentRunId: null,
    version: null,
    lastSeenAt: null,
    disabled: false,
    stale: false,
    ...over,
  };
}

/** An owning app with these workers, online. */
export function shell(workers: FusedWorker[] | null, over: Partial<ShellState> = {}): ShellState {
  return { ...initialShellState('own'), workers, verdict: 'online', ...over };
}
