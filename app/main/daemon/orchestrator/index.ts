// The Orchestrator: the one object both doors call. It owns no transport: the control server
// and the IPC door adapt its CommandHandlers and its frame stream.
import {
  CommandError,
  normalizeApiUrl,
  type CommandHandlers,
  type ConnectivitySample,
  type Diagnostics,
  type EventFrame,
  type FusedWorker,
  type LastEvent,
  type LogLine,
  type ManifestEntry,
  type SupervisorStatus,
} from '../../../shared/index.ts';
import { createFrameBus, type FrameListener } from '../bus.ts';
import type { ConnectivityMonitor } from '../connectivity/monitor.ts';
import type { Paths } from '../paths.ts';
import type {
  ApiPort,
  CredentialsPort,
  DesktopUpdatePort,
  ManifestPort,
  SupervisorPort,
  WorkerConfigPort,
} from '../ports.ts';
import type { RunEventsReader } from '../runs/run-events.ts';
import { createCoalescer } from '../status/coalesce.ts';
import { fuseWorkers } from '../status/fuse.ts';
import type { ReleaseTracker } from '../status/releases.ts';
import { createRemoteStatus } from '../status/remote-status.ts';
import type { NpmInstaller } from '../tools/npm.ts';
import type { WorkerCli } from '../tools/worker-cli.ts';
import { buildWorker } from './build.ts';
import { DEFAULT_TIMINGS, type Ctx, type Timings } from './context.ts';
import { createPairings } from './pairing.ts';
import { refuseDowngrade } from './self-version.ts';
import { upgradeSelf, upgradeWorker } from './upgrade.ts';
import {
  deleteWorker,
  disableWorker,
  enableWorker,
  restartWorker,
  startWorker,
  stopWorker,
} from './verbs.ts';

/** Worker event streams (SSE), kept in step with the manifest. */
export interface EventStreamsPort {
  sync(targets: Array<{ workerId: string; apiUrl: string; token: string }>): void;
  close(): void;
}

export interface OrchestratorDeps {
  paths: Paths;
  version: string;
  hostname: string;
  manifest: ManifestPort;
  credentials: CredentialsPort;
  workerConfigs: WorkerConfigPort;
  supervisor: SupervisorPort;
  api: ApiPort;
  streams: EventStreamsPort;
  workerCli: WorkerCli;
  npm: NpmInstaller;
  runs: RunEventsReader;
  connectivity: ConnectivityMonitor;
  releases: ReleaseTracker;
  /** Ends the process so the service manager restarts the new version (self-upgrade). */
  exitForRestart: () => void;
  /** Given by the desktop host: the app updates itself (electron-updater), not through npm. */
  desktopUpdate?: DesktopUpdatePort;
  /** `doctor` as the daemon sees the host (its environment is the one workers get). */
  diagnose?: (workers: FusedWorker[], cliVersion?: string) => Promise<Diagnostics>;
  timings?: Partial<Timings>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onBackgroundError?: (what: string, error: unknown) => void;
}

export interface Orchestrator extends CommandHandlers {
  /** Reconcile, start the monitors, poll, subscribe. Idempotent. */
  start(): Promise<void>;
  /** Stop every loop; with `drain`, stop every worker gracefully (the host is going away). */
  shutdown(opts: { drain: boolean; graceMs?: number }): Promise<void>;
  subscribe(listener: FrameListener): () => void;
  /** Frames a new subscriber needs to draw the present (the reference sends none). */
  snapshot(): Promise<EventFrame[]>;
  /** Wire-up for the supervisor's events. */
  onWorkerState(status: SupervisorStatus): void;
  onWorkerLog(id: string, line: LogLine): void;
  /** Wire-up for the event streams. */
  onWorkerEvent(id: string, event: LastEvent): void;
  /** Wire-up for the connectivity monitor. */
  onConnectivity(sample: ConnectivitySample): void;
  /** Distinct environments of the manifest as last read (for the connectivity probes). */
  knownApiUrls(): string[];
}

export function createOrchestrator(deps: OrchestratorDeps): Orchestrator {
  const timings = { ...DEFAULT_TIMINGS, ...deps.timings };
  const now = deps.now ?? Date.now;
  const bus = createFrameBus((e) => deps.onBackgroundError?.('frame listener', e));
  const remote = createRemoteStatus(deps.api, deps.credentials);
  const lastEvents = new Map<string, LastEvent>();
  const timers: Array<ReturnType<typeof setInterval>> = [];
  let started = false;
  let stopping = false;
  /** While a self-upgrade holds the workers stopped, nothing may restart them. */
  let holdWorkers = false;
  let lastManifestJson = '';
  let knownApiUrls: string[] = [];

  const background = (what: string) => (e: unknown) => deps.onBackgroundError?.(what, e);

  async function fused(entries?: readonly ManifestEntry[]): Promise<FusedWorker[]> {
    return fuseWorkers({
      entries: entries ?? (await deps.manifest.list()),
      local: (id) => deps.supervisor.status(id),
      remote: (id) => remote.get(id),
      lastEvent: (id) => lastEvents.get(id) ?? null,
      latestWorkerVersion: (url) => deps.releases.latestWorkerVersion(url),
    });
  }

  const statusFrames = createCoalescer(() => {
    fused()
      .then((items) => bus.emit({ kind: 'status', items }))
      .catch(background('status frame'));
  }, timings.statusCoalesceMs);

  async function syncStreams(entries: readonly ManifestEntry[]): Promise<void> {
    const targets: Array<{ workerId: string; apiUrl: string; token: string }> = [];
    for (const e of entries) {
      // Pool streams need a token the host does not hold; the reference retries them forever.
      if (e.mode !== 'workspace') continue;
      const token = await deps.credentials.operatorToken(e.apiUrl);
      if (token) targets.push({ workerId: e.id, apiUrl: e.apiUrl, token });
    }
    deps.streams.sync(targets);
  }

  async function afterChange(): Promise<void> {
    const entries = await deps.manifest.list();
    lastManifestJson = JSON.stringify(entries);
    knownApiUrls = [...new Set(entries.map((e) => normalizeApiUrl(e.apiUrl)))];
    if (!holdWorkers && !stopping) await deps.supervisor.reconcile(entries);
    const ids = new Set(entries.map((e) => e.id));
    remote.retain(ids);
    for (const id of lastEvents.keys()) if (!ids.has(id)) lastEvents.delete(id);
    if (!stopping) await syncStreams(entries);
    statusFrames.poke();
  }

  const refreshRemote = async (): Promise<void> => remote.refresh(await deps.manifest.list());

  const ctx: Ctx = {
    paths: deps.paths,
    manifest: deps.manifest,
    credentials: deps.credentials,
    workerConfigs: deps.workerConfigs,
    supervisor: deps.supervisor,
    api: deps.api,
    workerCli: deps.workerCli,
    npm: deps.npm,
    hostname: deps.hostname,
    timings,
    now,
    sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    fused: () => fused(),
    refreshRemote,
    afterChange,
  };

  const pairings = createPairings({
    client: deps.api,
    stores: {
      paths: deps.paths,
      manifest: deps.manifest,
      credentials: deps.credentials,
      workerConfigs: deps.workerConfigs,
    },
    workerCli: deps.workerCli,
    async afterEnrolled(workerId, reused) {
      await afterChange();
      // A re-enrolled worker got a fresh wkt_: the running process holds the revoked one.
      if (reused) await deps.supervisor.restart(workerId);
      await refreshRemote().catch(background('remote status'));
      statusFrames.poke();
    },
    onChange: (pairingId, status) => bus.emit({ kind: 'pairing', pairingId, status }),
    now,
  });

  /** Each tick: poll the lists, and pick up manifest changes made by a CLI (`connect`, `adopt`). */
  async function tick(): Promise<void> {
    const entries = await deps.manifest.list();
    if (JSON.stringify(entries) !== lastManifestJson) await afterChange();
    await remote.refresh(entries);
    statusFrames.poke();
  }

  const every = (ms: number, what: string, fn: () => Promise<void>): void => {
    const t = setInterval(() => void fn().catch(background(what)), ms);
    t.unref();
    timers.push(t);
  };

  return {
    async start() {
      if (started) return;
      started = true;
      await deps.credentials.ensure();
      await afterChange();
      deps.connectivity.start();
      const entries = await deps.manifest.list();
      void deps.releases
        .refresh(entries.map((e) => e.apiUrl))
        .then(() => statusFrames.poke())
        .catch(background('releases'));
      await remote.refresh(entries).catch(background('remote status'));
      statusFrames.flush();
      every(timings.refreshMs, 'refresh', tick);
      every(timings.releasesMs, 'releases', async () => {
        await deps.releases.refresh((await deps.manifest.list()).map((e) => e.apiUrl));
        statusFrames.poke();
      });
    },

    async shutdown(opts) {
      stopping = true;
      for (const t of timers.splice(0)) clearInterval(t);
      statusFrames.close();
      pairings.close();
      deps.streams.close();
      deps.connectivity.stop();
      if (opts.drain)
        await deps.supervisor.stopAll({ graceMs: opts.graceMs ?? timings.stopGraceMs });
    },

    subscribe: (listener) => bus.subscribe(listener),

    async snapshot() {
      const frames: EventFrame[] = [{ kind: 'status', items: await fused() }];
      const sample = deps.connectivity.current();
      if (sample) frames.push({ kind: 'connectivity', sample });
      return frames;
    },

    onWorkerState(status) {
      bus.emit({ kind: 'worker-state', status });
      statusFrames.poke();
    },
    onWorkerLog(id, line) {
      bus.emit({ kind: 'log', id, ...line });
    },
    onConnectivity(sample) {
      bus.emit({ kind: 'connectivity', sample });
    },
    knownApiUrls: () => knownApiUrls,
    onWorkerEvent(id, event) {
      lastEvents.set(id, event);
      statusFrames.poke();
    },

    // Commands of the contract table.
    listWorkers: async () => ({ items: await fused() }),
    buildWorker: (input) => buildWorker(ctx, input),
    startWorker: ({ id }) => startWorker(ctx, id),
    stopWorker: ({ id, force }) => stopWorker(ctx, id, force === true),
    restartWorker: ({ id }) => restartWorker(ctx, id),
    disableWorker: ({ id }) => disableWorker(ctx, id),
    enableWorker: ({ id }) => enableWorker(ctx, id),
    deleteWorker: ({ id }) => deleteWorker(ctx, id),
    upgradeWorker: (input) => upgradeWorker(ctx, input),
    async upgradeSelf(input) {
      if (deps.desktopUpdate)
        throw new CommandError(
          'conflict',
          'this orchestrator is the desktop app: it updates itself from its release feed (Restart to update, in its tray or dashboard, once it has downloaded one)',
        );
      refuseDowngrade(deps.version, input);
      holdWorkers = true;
      try {
        return await upgradeSelf(ctx, input, deps.exitForRestart);
      } catch (e) {
        holdWorkers = false;
        await afterChange();
        throw e;
      }
    },
    getSelf: async () => ({
      ...deps.releases.self(deps.version),
      hostname: deps.hostname,
      ...(deps.desktopUpdate ? { desktopUpdate: deps.desktopUpdate.view() } : {}),
    }),
    async restartToUpdate() {
      const updates = deps.desktopUpdate;
      if (!updates)
        throw new CommandError(
          'conflict',
          'this orchestrator is not a desktop app: upgrade it with `pipedai-orchestrator upgrade --self`',
        );
      const view = updates.view();
      if (view.state !== 'ready')
        throw new CommandError(
          'conflict',
          view.state === 'unsupported'
            ? (view.message ?? 'this build cannot update itself')
            : `no update is ready to install (${view.state})`,
        );
      // Answer first: the restart closes this server.
      setTimeout(
        () => void updates.restart().catch((e) => deps.onBackgroundError?.('restart to update', e)),
        100,
      ).unref?.();
      return { ok: true, action: 'restart-to-update' };
    },
    async getDiagnostics({ cliVersion }) {
      if (!deps.diagnose) throw new CommandError('unavailable', 'diagnostics are not wired here');
      return deps.diagnose(await fused(), cliVersion);
    },
    getLogs: async ({ id, tail }) => ({ items: deps.supervisor.logs(id, tail) }),
    listRuns: async ({ id }) => ({ items: await deps.runs.listRuns(id) }),
    getRunEvents: async ({ id, runId, after, tail }) => ({
      items: await deps.runs.read(id, runId, { after, tail }),
    }),
    startPairing: (input) => pairings.start(input),
    pairingStatus: async ({ pairingId }) => pairings.status(pairingId),
    cancelPairing: async ({ pairingId }) => pairings.cancel(pairingId),
    getConnectivity: async ({ tail }) => ({
      current: deps.connectivity.current(),
      history: deps.connectivity.history(tail),
    }),
  };
}
