// The Orchestrator: the one object both doors call. It owns no transport: the control server
// and the IPC door adapt its CommandHandlers and its frame stream.
import {
  apiDownIn,
  CommandError,
  heartbeatAllowanceMs,
  normalizeApiUrl,
  RECENT_RUNS,
  runOutcomeOf,
  staleReasonOf,
  type CommandHandlers,
  type ConnectivitySample,
  type Diagnostics,
  type DiskUsage,
  type EventFrame,
  type FusedWorker,
  type LastEvent,
  type LogLine,
  type ManifestEntry,
  type ResourceSample,
  type RollbackEvent,
  type RunEvent,
  type RunOutcome,
  type RuntimeInstall,
  type SupervisorStatus,
} from '../../../shared/index.ts';
import { createFrameBus, type FrameListener } from '../bus.ts';
import { createLogBatches } from './log-batches.ts';
import type { ConnectivityMonitor } from '../connectivity/monitor.ts';
import type { Paths } from '../paths.ts';
import type {
  ApiPort,
  CredentialsPort,
  DesktopUpdatePort,
  ManifestPort,
  SupervisorPort,
  WorkerConfigPort,
} from '../deps.ts';
import { measureDisk } from '../disk-usage.ts';
import { DEFAULT_RUNS_LIMITS, pruneRuns, type RunsLimits } from '../runs/prune.ts';
import { RUN_FILE_LIVE_MS, type RunEventsReader } from '../runs/run-events.ts';
import {
  RESOURCE_INTERVAL_MS,
  RESOURCE_WINDOW_MS,
  type ResourceSampler,
} from '../resources/sampler.ts';
import type { SelfUpdater } from '../self-update/install.ts';
import { createCoalescer } from '../status/coalesce.ts';
import { fuseWorkers } from '../status/fuse.ts';
import type { ReleaseTracker } from '../status/releases.ts';
import { createRemoteStatus } from '../status/remote-status.ts';
import type { WorkerRuntime } from '../runtime/index.ts';
import type { WorkerCli } from '../tools/worker-cli.ts';
import { buildWorker } from './build.ts';
import { DEFAULT_TIMINGS, type Ctx, type Timings } from './context.ts';
import { createPairings } from './pairing.ts';
import { rollbackWorker, upgradeSelf, upgradeWorker } from './upgrade.ts';
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
  /** The managed worker runtime (loaded). */
  runtime: WorkerRuntime;
  runs: RunEventsReader;
  /** Follows the workers' run files; what they append comes back through onRunEvents. */
  runTail?: { follow(workerIds: readonly string[]): Promise<void>; close(): void };
  connectivity: ConnectivityMonitor;
  releases: ReleaseTracker;
  /** Installs orchestrator versions beside the running one (self-upgrade). */
  selfUpdater: SelfUpdater;
  /**
   * After a self-upgrade: this daemon gives way to the new version, leaving the workers running
   * for it to adopt (the host decides how: exit for the service manager, or re-exec).
   */
  exitForRestart: () => void;
  /** Given by the desktop host: the app updates itself (electron-updater), not through npm. */
  desktopUpdate?: DesktopUpdatePort;
  /** `doctor` as the daemon sees the host (its environment is the one workers get). */
  diagnose?: (workers: FusedWorker[], cliVersion?: string) => Promise<Diagnostics>;
  /** CPU and memory of each worker's process tree (absent: the figures read n/a). */
  resources?: ResourceSampler;
  /** Told each run that ends (a `result` event), for the metrics. */
  onRunEnded?: (workerId: string, outcome: RunOutcome) => void;
  timings?: Partial<Timings>;
  /** How much of runs/ is kept (default 30 days, 512 MiB, the newest first). */
  runsLimits?: Partial<RunsLimits>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onBackgroundError?: (what: string, error: unknown) => void;
  /** The daemon's own log (what housekeeping did). */
  log?: (line: string) => void;
}

export interface Orchestrator extends CommandHandlers {
  /**
   * Spawn first: reconcile the manifest (the enabled workers start) before anything that waits
   * on the network or the doors. The supervisor has adopted what a previous daemon left
   * (openDaemon's recover) before this can spawn, so no worker runs twice. Idempotent; start()
   * runs it too.
   */
  startWorkers(): Promise<void>;
  /** Reconcile, start the monitors, poll, subscribe. Idempotent. */
  start(): Promise<void>;
  /** Stop every loop; with `drain`, stop every worker gracefully (the host is going away). */
  shutdown(opts: { drain: boolean }): Promise<void>;
  subscribe(listener: FrameListener): () => void;
  /** After the computer slept: probe connectivity and poll pipedai-api now, not at the next tick. */
  wake(): Promise<void>;
  /** Frames a new subscriber needs to draw the present. */
  snapshot(): Promise<EventFrame[]>;
  /** Wire-up for the supervisor's events. */
  onWorkerState(status: SupervisorStatus): void;
  onWorkerLog(id: string, line: LogLine): void;
  /** Wire-up for the event streams. */
  onWorkerEvent(id: string, event: LastEvent): void;
  /** Wire-up for the connectivity monitor. */
  onConnectivity(sample: ConnectivitySample): void;
  /** Wire-up for the run tail: events a worker appended to a run file. */
  onRunEvents(id: string, runId: string, items: RunEvent[]): void;
  /** Wire-up for the resource sampler: each tick's figures. */
  onResources(sample: ResourceSample): void;
  /** Wire-up for the worker runtime's install progress. */
  onRuntimeInstall(install: RuntimeInstall): void;
  /** Distinct environments of the manifest as last read (for the connectivity probes). */
  knownApiUrls(): string[];
  /**
   * The worker holds no run (Windows drains, which have no signal, wait for this): fresh remote
   * status; without a remote row (a pool worker and no pool-read token), its newest run file.
   */
  workerIdle(id: string): Promise<boolean>;
}

/** Disk use in /api/self is measured again when older than this. */
const DISK_MEASURE_MS = 60_000;

export function createOrchestrator(deps: OrchestratorDeps): Orchestrator {
  const timings = { ...DEFAULT_TIMINGS, ...deps.timings };
  const now = deps.now ?? Date.now;
  const bus = createFrameBus((e) => deps.onBackgroundError?.('frame listener', e));
  const logBatches = createLogBatches((frame) => bus.emit(frame));
  const remote = createRemoteStatus(deps.api, deps.credentials);
  const lastEvents = new Map<string, LastEvent>();
  /** Each worker's last stderr line (one per worker, cut short), for a crash loop's row. */
  const lastStderr = new Map<string, { line: string; ts: number }>();
  /** PipedAI's "online" holds this long after a heartbeat, on our clock (health.ts). */
  const heartbeatAllowance = heartbeatAllowanceMs(timings.refreshMs);
  /** How each worker's latest runs ended, newest first (read from runs/ once, then kept). */
  const recentRuns = new Map<string, RunOutcome[]>();
  /** Which APIs the last connectivity sample found down: a change restates every worker. */
  let downApis = '';
  const timers: Array<ReturnType<typeof setInterval>> = [];
  let started = false;
  let stopping = false;
  let lastManifestJson = '';
  let disk: DiskUsage | null = null;
  const runsLimits: RunsLimits = { ...DEFAULT_RUNS_LIMITS, ...deps.runsLimits };
  let knownApiUrls: string[] = [];
  /** Workers just switched to a new runtime: a crash loop before `until` rolls them back. */
  const rollbackWatch = new Map<string, number>();
  /** Rollbacks to the previous version happen once per upgrade, never concurrently. */
  const rollingBack = new Set<string>();

  const background = (what: string) => (e: unknown) => deps.onBackgroundError?.(what, e);
  const whileUp =
    <I, O>(fn: (input: I) => Promise<O>) =>
    async (input: I): Promise<O> => {
      if (stopping)
        throw new CommandError(
          'unavailable',
          'the daemon is shutting down: its workers are finishing their runs (Force stop still acts)',
        );
      return fn(input);
    };

  async function fused(entries?: readonly ManifestEntry[]): Promise<FusedWorker[]> {
    return fuseWorkers({
      entries: entries ?? (await deps.manifest.list()),
      local: (id) => deps.supervisor.status(id),
      remote: (id) => remote.get(id),
      lastEvent: (id) => lastEvents.get(id) ?? null,
      latestWorkerVersion: (url) => deps.releases.latestWorkerVersion(url),
      runtime: (id) => deps.runtime.view(id),
      resources: (id) => deps.resources?.latest(id) ?? null,
      staleness: (entry, view) =>
        staleReasonOf({
          apiUrl: entry.apiUrl,
          remote: view,
          connectivity: deps.connectivity.current(),
          pollFailing: remote.pollFailing(entry.id),
          now: now(),
          allowanceMs: heartbeatAllowance,
        }),
      lastStderr: (id) => lastStderr.get(id) ?? null,
      recentRuns: (id) => recentRuns.get(id) ?? [],
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
      // Pool streams need a token the host does not hold: retrying them would never end.
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
    // Stops start here but are not waited for: a drain lasts as long as its run, and this answer
    // (any verb's) must not wait for another worker's drain.
    if (!stopping) await deps.supervisor.reconcile(entries, { waitForStops: false });
    const ids = new Set(entries.map((e) => e.id));
    remote.retain(ids);
    for (const id of lastEvents.keys()) if (!ids.has(id)) lastEvents.delete(id);
    for (const id of lastStderr.keys()) if (!ids.has(id)) lastStderr.delete(id);
    for (const id of recentRuns.keys()) if (!ids.has(id)) recentRuns.delete(id);
    for (const id of ids) if (!recentRuns.has(id)) readRecentRuns(id);
    if (!stopping) {
      void deps.runTail?.follow([...ids]);
      await syncStreams(entries);
    }
    if (started && !stopping) void checkReleases().catch(background('releases'));
    statusFrames.poke();
  }

  /** A worker's latest outcomes from its run files, once (live results are added as they come). */
  function readRecentRuns(id: string): void {
    recentRuns.set(id, []);
    void deps.runs
      .listRuns(id)
      .then((runs) => {
        if (!recentRuns.has(id)) return; // deleted meanwhile
        const ended = runs.flatMap((r) =>
          r.outcome && r.outcome !== 'running' ? [r.outcome] : [],
        );
        recentRuns.set(id, ended.slice(0, RECENT_RUNS));
        statusFrames.poke();
      })
      .catch(background('recent runs'));
  }

  /** Prune runs/ (age, total size; the newest and live runs kept), then measure disk use. */
  async function housekeep(): Promise<void> {
    const pruned = await pruneRuns(deps.paths.runsDir, runsLimits, now());
    if (pruned.removed > 0)
      deps.log?.(
        `runs/: pruned ${pruned.removed} run file(s) (${pruned.removedBytes} bytes); ${pruned.kept} kept (${pruned.keptBytes} bytes)`,
      );
    disk = await measureDisk(deps.paths, now);
  }

  /** Check the environments owed a check (never checked, retry due, a day old). */
  async function checkReleases(): Promise<void> {
    const due = deps.releases.due(knownApiUrls, timings.releasesMs);
    if (due.length === 0) return;
    await deps.releases.refresh(due);
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
    runtime: deps.runtime,
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
    runtime: {
      // What the new worker will run: the override or a user's own pipedai-worker answers
      // itself; a managed version is known without running it (it may still be downloading).
      async reportedVersion() {
        const unmanaged = deps.runtime.launchFor(null).source;
        if (unmanaged === 'override') return deps.workerCli.reportedVersion();
        const managed = deps.runtime.overview().versions.at(-1)?.version;
        if (managed) return managed;
        return unmanaged === 'path' ? deps.workerCli.reportedVersion() : 'unknown';
      },
      prepare: () => void deps.runtime.ensure([]).catch(() => undefined),
      ensureFor: async (workerId) => {
        try {
          await deps.runtime.ensure([workerId]);
        } finally {
          await afterChange();
        }
      },
    },
    onRuntimeFailed: (workerId, e) => deps.onBackgroundError?.(`worker runtime for ${workerId}`, e),
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
    if (JSON.stringify(entries) !== lastManifestJson) {
      // A CLI `connect` or `adopt` also pinned (and maybe installed) runtimes.
      await deps.runtime.refresh();
      await afterChange();
    }
    await remote.refresh(entries);
    // A poll and the last probe disagree on whether PipedAI answers: probe now, so the verdict
    // (the banner, the tray) follows within a poll, not at the next 20 s probe.
    if (probeDisagrees(entries)) void deps.connectivity.probe().catch(background('connectivity'));
    statusFrames.poke();
  }

  function probeDisagrees(entries: readonly ManifestEntry[]): boolean {
    const sample = deps.connectivity.current();
    if (!sample) return false;
    return entries.some(
      (e) =>
        remote.get(e.id) !== null &&
        (apiDownIn(sample, e.apiUrl) !== null) !== remote.pollFailing(e.id),
    );
  }

  /** Say it everywhere: frame (dashboard, tray notification), the worker's log, the daemon log. */
  async function announceRollback(event: RollbackEvent): Promise<void> {
    bus.emit({ kind: 'rollback', rollback: event });
    deps.onBackgroundError?.(
      'rollback',
      new Error(`${event.label}: rolled back from ${event.from} to ${event.to} (${event.reason})`),
    );
  }

  /** A worker crash-looping on the version it was just upgraded to goes back by itself. */
  function checkRollback(status: SupervisorStatus): void {
    const until = rollbackWatch.get(status.id);
    if (until === undefined) return;
    if (now() > until) {
      rollbackWatch.delete(status.id);
      return;
    }
    const looping =
      status.state === 'crashed' || (status.state === 'backing-off' && status.restarts >= 3);
    if (!looping || rollingBack.has(status.id)) return;
    rollbackWatch.delete(status.id);
    rollingBack.add(status.id);
    void (async () => {
      const entry = await deps.manifest.get(status.id);
      const moved = await deps.runtime.rollback(status.id, true);
      // Nothing runs (it crash-loops): respawn on the previous version at once.
      await deps.supervisor.restart(status.id);
      await afterChange();
      await announceRollback({
        id: status.id,
        label: entry?.label ?? status.id,
        ...moved,
        automatic: true,
        reason: `${moved.from} crashed ${status.restarts} times in a row within ${Math.round(timings.rollbackWindowMs / 60_000)} min of the upgrade`,
        at: now(),
      });
    })()
      .catch(background('automatic rollback'))
      .finally(() => rollingBack.delete(status.id));
  }

  /** Workers that have no runtime (a failed install, a folder removed by hand): one try. */
  async function ensureMissingRuntimes(): Promise<void> {
    const ids = (await deps.manifest.list())
      .filter((e) => e.desiredState === 'enabled' && deps.runtime.plan(e.id).source === 'none')
      .map((e) => e.id);
    if (ids.length === 0) return;
    await deps.runtime.ensure(ids);
    await afterChange();
  }

  const every = (ms: number, what: string, fn: () => Promise<void>): void => {
    const t = setInterval(() => void fn().catch(background(what)), ms);
    t.unref();
    timers.push(t);
  };

  let workersStarted: Promise<void> | null = null;
  const startWorkers = (): Promise<void> =>
    (workersStarted ??= (async () => {
      await deps.credentials.ensure();
      await afterChange();
    })());

  return {
    startWorkers,
    async start() {
      if (started) return;
      started = true;
      const early = workersStarted !== null;
      await startWorkers();
      // afterChange asks for the first release check of every environment once started; after
      // an early startWorkers (the headless host's spawn first) it is asked here.
      if (early) void checkReleases().catch(background('releases'));
      deps.connectivity.start();
      const entries = await deps.manifest.list();
      await remote.refresh(entries).catch(background('remote status'));
      statusFrames.flush();
      void ensureMissingRuntimes().catch(background('worker runtime'));
      every(timings.refreshMs, 'refresh', tick);
      // Daily per environment; sooner after a failure (backoff) or for a new environment.
      every(timings.releasesRetryMs, 'releases', checkReleases);
      void housekeep().catch(background('housekeeping'));
      every(timings.housekeepingMs, 'housekeeping', housekeep);
      deps.resources?.start();
    },

    async shutdown(opts) {
      stopping = true;
      for (const t of timers.splice(0)) clearInterval(t);
      deps.resources?.stop();
      statusFrames.close();
      pairings.close();
      deps.runTail?.close();
      deps.streams.close();
      deps.connectivity.stop();
      if (opts.drain) await deps.supervisor.stopAll();
      logBatches.flush();
    },

    subscribe: (listener) => bus.subscribe(listener),

    async wake() {
      if (!started || stopping) return;
      await deps.connectivity.probe();
      await tick();
    },

    async snapshot() {
      const frames: EventFrame[] = [{ kind: 'status', items: await fused() }];
      const sample = deps.connectivity.current();
      if (sample) frames.push({ kind: 'connectivity', sample });
      const install = deps.runtime.overview().install;
      if (install) frames.push({ kind: 'runtime', install });
      return frames;
    },

    onWorkerState(status) {
      bus.emit({ kind: 'worker-state', status });
      statusFrames.poke();
      checkRollback(status);
    },
    onRuntimeInstall(install) {
      bus.emit({ kind: 'runtime', install });
      // Workers waiting on it show its phase; done or failed changes what they can do.
      if (install.phase === 'done' || install.phase === 'failed') statusFrames.poke();
    },
    onWorkerLog(id, line) {
      logBatches.add(id, line);
      if (line.stream === 'err')
        lastStderr.set(id, { line: line.line.slice(0, LAST_STDERR_CHARS), ts: line.ts });
    },
    onConnectivity(sample) {
      bus.emit({ kind: 'connectivity', sample });
      // Reaching PipedAI or losing it changes which remote statuses hold: say so now, not at
      // the next poll.
      const down = sampleDownApis(sample);
      if (down !== downApis) {
        downApis = down;
        statusFrames.poke();
      }
    },
    onRunEvents(id, runId, items) {
      bus.emit({ kind: 'run-events', id, runId, items });
      for (const item of items) {
        const outcome = runOutcomeOf(item);
        if (!outcome) continue;
        deps.onRunEnded?.(id, outcome);
        const runs = recentRuns.get(id);
        if (runs) recentRuns.set(id, [outcome, ...runs].slice(0, RECENT_RUNS));
        statusFrames.poke();
      }
    },
    onResources(sample) {
      bus.emit({ kind: 'resources', sample });
    },
    knownApiUrls: () => knownApiUrls,
    async workerIdle(id) {
      await refreshRemote();
      const w = (await fused()).find((x) => x.id === id);
      if (!w) return true;
      if (w.remote) return !w.busy && !w.currentRunId;
      const [newest] = await deps.runs.listRuns(id);
      if (!newest || now() - newest.updatedAt > RUN_FILE_LIVE_MS) return true;
      const [last] = await deps.runs.read(id, newest.runId, { tail: 1 });
      return last?.type === 'result';
    },
    onWorkerEvent(id, event) {
      lastEvents.set(id, event);
      statusFrames.poke();
    },

    // Commands of the contract table. While the daemon shuts down (its workers finishing their
    // runs, the control server still answering), only reads and Force stop act.
    listWorkers: async () => ({ items: await fused() }),
    buildWorker: whileUp((input) => buildWorker(ctx, input)),
    startWorker: whileUp(({ id }) => startWorker(ctx, id)),
    async stopWorker({ id, force }) {
      if (!stopping) return stopWorker(ctx, id, force === true);
      await deps.supervisor.stop(id, { force: force === true }); // the manifest is left as it is
      return { id, action: 'stop', ok: true };
    },
    restartWorker: whileUp(({ id }) => restartWorker(ctx, id)),
    disableWorker: whileUp(({ id }) => disableWorker(ctx, id)),
    enableWorker: whileUp(({ id }) => enableWorker(ctx, id)),
    deleteWorker: whileUp(({ id }) => deleteWorker(ctx, id)),
    upgradeWorker: whileUp((input) =>
      upgradeWorker(ctx, input, (id) => rollbackWatch.set(id, now() + timings.rollbackWindowMs)),
    ),
    rollbackWorker: whileUp(async ({ id }) => {
      const out = await rollbackWorker(ctx, id);
      const entry = await deps.manifest.get(id);
      await announceRollback({
        id,
        label: entry?.label ?? id,
        from: out.from,
        to: out.to,
        automatic: false,
        reason: 'asked for',
        at: now(),
      });
      return out;
    }),
    installWorkerRuntime: whileUp(async ({ id }) => {
      const entry = await deps.manifest.get(id);
      if (!entry) throw new CommandError('not-found', `no worker ${id} on this host`, 'id');
      const version = await deps.runtime.ensure([id]);
      await afterChange();
      return { id, action: 'install-runtime', ok: true, version: version ?? 'override' };
    }),
    getRuntime: async () => deps.runtime.overview(),
    upgradeSelf: whileUp((input) => {
      if (deps.desktopUpdate)
        throw new CommandError(
          'conflict',
          'this orchestrator is the desktop app: it updates itself from its release feed (Restart to update, in its tray or dashboard, once it has downloaded one)',
        );
      return upgradeSelf(ctx, input, {
        version: deps.version,
        updater: deps.selfUpdater,
        handOff: deps.exitForRestart,
      });
    }),
    async getSelf() {
      if (disk === null || now() - disk.measuredAt > DISK_MEASURE_MS)
        disk = await measureDisk(deps.paths, now).catch(() => disk);
      return {
        ...deps.releases.self(deps.version),
        hostname: deps.hostname,
        environment: deps.runtime.overview().environment,
        ...(disk ? { disk } : {}),
        ...(deps.desktopUpdate ? { desktopUpdate: deps.desktopUpdate.view() } : {}),
      };
    },
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
    getResources: async () =>
      deps.resources?.view() ?? {
        available: false,
        reason: 'no resource sampler here',
        intervalMs: RESOURCE_INTERVAL_MS,
        windowMs: RESOURCE_WINDOW_MS,
        samples: [],
      },
    getLogs: async ({ id, tail }) => ({ items: deps.supervisor.logs(id, tail) }),
    listRuns: async ({ id }) => ({ items: await deps.runs.listRuns(id) }),
    getRunEvents: async ({ id, runId, after, tail }) => ({
      items: await deps.runs.read(id, runId, { after, tail }),
    }),
    startPairing: whileUp((input) => pairings.start(input)),
    pairingStatus: async ({ pairingId }) => pairings.status(pairingId),
    cancelPairing: async ({ pairingId }) => pairings.cancel(pairingId),
    getConnectivity: async ({ tail }) => ({
      current: deps.connectivity.current(),
      history: deps.connectivity.history(tail),
    }),
  };
}

/** A stderr line kept for a worker's row is cut here. */
const LAST_STDERR_CHARS = 500;

/** The APIs a sample found down (and whether the internet was), as one comparable string. */
function sampleDownApis(sample: ConnectivitySample): string {
  const down = sample.api.filter((p) => !p.ok).map((p) => p.url);
  return `${sample.verdict} ${sample.internet.ok ? '' : 'no-internet '}${down.sort().join(' ')}`;
}
