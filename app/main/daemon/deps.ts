// What the Orchestrator needs from its parts. The concrete store, supervisor and API client
// satisfy these structurally; tests may pass their own.
import type {
  Credentials,
  DesktopUpdate,
  DeviceStartResponse,
  LogLine,
  ManifestEntry,
  Probe,
  RedeemRequest,
  RedeemResponse,
  RegistrationTokenResponse,
  ReleasesResponse,
  RemoteWorker,
  SupervisorStatus,
  WorkerConfig,
} from '../../shared/index.ts';

export interface ManifestPort {
  list(): Promise<ManifestEntry[]>;
  get(id: string): Promise<ManifestEntry | null>;
  add(entry: ManifestEntry): Promise<unknown>;
  update(id: string, patch: Partial<Omit<ManifestEntry, 'id'>>): Promise<unknown>;
  remove(id: string): Promise<boolean>;
}

export interface CredentialsPort {
  ensure(): Promise<Credentials>;
  localToken(): Promise<string>;
  operatorToken(apiUrl: string): Promise<string | null>;
  setOperatorToken(apiUrl: string, token: string): Promise<unknown>;
  poolReadToken(apiUrl: string): Promise<string | null>;
  setPoolReadToken(apiUrl: string, token: string): Promise<unknown>;
}

export interface WorkerConfigPort {
  read(path: string): Promise<WorkerConfig>;
  write(path: string, config: WorkerConfig, opts?: { overwrite?: boolean }): Promise<void>;
}

export interface SupervisorPort {
  /** Stops it issues are not waited for (each verb waits for its own worker's stop). */
  reconcile(entries: readonly ManifestEntry[], opts: { waitForStops: false }): Promise<void>;
  start(id: string): Promise<void> | void;
  /** A drain that waits for the run (up to the operator's ceiling, if any); force kills now. */
  stop(id: string, opts?: { force?: boolean }): Promise<void>;
  restart(id: string): Promise<void>;
  status(id: string): SupervisorStatus | null;
  logs(id: string, n?: number): LogLine[];
  stopAll(opts?: { force?: boolean }): Promise<void>;
}

export type WorkerTarget =
  { mode: 'workspace'; workspaceId: string; workerId: string } | { mode: 'pool'; workerId: string };

export interface ApiPort {
  deviceStart(apiUrl: string, body: { label?: string }): Promise<DeviceStartResponse>;
  redeem(apiUrl: string, body: RedeemRequest): Promise<RedeemResponse>;
  mintRegistrationToken(
    apiUrl: string,
    operatorToken: string,
    workspaceId: string,
    opts?: { label?: string },
  ): Promise<RegistrationTokenResponse>;
  listWorkspaceWorkers(
    apiUrl: string,
    operatorToken: string,
    workspaceId: string,
  ): Promise<{ items: RemoteWorker[] }>;
  listPoolWorkers(apiUrl: string, poolReadToken: string): Promise<{ items: RemoteWorker[] }>;
  disableWorker(apiUrl: string, token: string, target: WorkerTarget): Promise<void>;
  enableWorker(apiUrl: string, token: string, target: WorkerTarget): Promise<void>;
  /** 404 is not an error: the worker is already gone. */
  deleteWorker(
    apiUrl: string,
    token: string,
    target: WorkerTarget,
  ): Promise<'deleted' | 'already-gone'>;
  poolSelfDisable(apiUrl: string, workerToken: string, workerId: string): Promise<void>;
  /** 404 is tolerated: the worker no longer exists server-side. */
  poolSelfEnable(
    apiUrl: string,
    workerToken: string,
    workerId: string,
  ): Promise<'enabled' | 'not-found'>;
  releasesLatest(apiUrl: string): Promise<ReleasesResponse>;
  health(apiUrl: string): Promise<Probe>;
  /** The health probe and the server's Date header (for a clock comparison). */
  healthAndDate(apiUrl: string): Promise<{ probe: Probe; serverDate: string | null }>;
}

/**
 * The desktop app's own updates (electron-updater), given by the desktop host: there the
 * orchestrator updates from its release feed and restarts into it, never through npm.
 */
export interface DesktopUpdatePort {
  view(): DesktopUpdate;
  /** Hand the running workers over and restart into the downloaded update. */
  restart(): Promise<void>;
}

/** An error from the API as the orchestrator inspects it. */
export interface ApiErrorLike {
  kind: 'network' | 'http' | 'invalid-response';
  status: number;
  code: string | null;
  message: string;
}

export function isApiError(e: unknown): e is ApiErrorLike & Error {
  return (
    e instanceof Error &&
    typeof (e as Partial<ApiErrorLike>).kind === 'string' &&
    typeof (e as Partial<ApiErrorLike>).status === 'number'
  );
}
