// Assembles a working daemon from real parts: the one place that knows every concrete class.
// Both hosts (headless `start`, Electron main) call openDaemon and then serve its Orchestrator.
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { ApiClient, EventStreams, type Sleep } from './api/index.ts';
import { createConnectivityMonitor } from './connectivity/monitor.ts';
import { measureDisk } from './disk-usage.ts';
import { createOrchestrator, type Orchestrator } from './orchestrator/index.ts';
import type { Timings } from './orchestrator/context.ts';
import { collectFacts, sharedDiagnostics } from './diagnostics/collect.ts';
import type { ServiceFacts } from './diagnostics/checks.ts';
import { acquireOwnership, readLiveOwner, type Ownership } from './owner/index.ts';
import { pathsFor, resolveHome, type Paths } from './paths.ts';
import type { DesktopUpdatePort, WorkerConfigPort } from './deps.ts';
import { createRunEventsReader } from './runs/run-events.ts';
import { createDaemonMetrics, type DaemonMetrics } from './metrics/metrics.ts';
import { createResourceSampler } from './resources/sampler.ts';
import { processTableFor, type ProcessTable } from './resources/process-table.ts';
import { createRunTail } from './runs/run-tail.ts';
import { createReleaseTracker } from './status/releases.ts';
import { openStore, readWorkerConfig, writeWorkerConfig } from './store/index.ts';
import { ensureDir } from './store/atomic-write.ts';
import {
  backoffPolicy,
  createSupervisor,
  resolveWorkerBin,
  type RecoverReport,
  type Supervisor,
} from './supervisor/index.ts';
import {
  bundledNpmCli,
  createWorkerRuntime,
  selfNodeRuntime,
  type NodeRuntime,
  type WorkerRuntime,
} from './runtime/index.ts';
import { createSelfUpdater } from './self-update/install.ts';
import { createNpmInstaller } from './tools/npm.ts';
import { createToolRunner, type ToolRunner } from './tools/run-tool.ts';
import { createWorkerCli, WORKER_PACKAGE } from './tools/worker-cli.ts';
import { VERSION } from './version.ts';
import { tuningFromEnv } from './env-tuning.ts';
import { childEnv } from './child-env.ts';
import type {
  ConnectivitySample,
  DaemonLog,
  HostKind,
  WorkerEnvironment,
} from '../../shared/index.ts';
import { errorMessage } from '../../shared/index.ts';

export const DEFAULT_INTERNET_PROBE_URL = 'https://www.google.com/generate_204';

export interface DaemonOptions {
  host: HostKind;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Runs npm for self-upgrades (an install into runtime/orchestrator): injected in tests. */
  npmRunner?: ToolRunner;
  /**
   * What runs the workers and npm: the daemon's own Node (default process.execPath). The desktop
   * host passes Electron's binary (or its macOS Helper) with ELECTRON_RUN_AS_NODE=1.
   */
  node?: NodeRuntime;
  /** npm's CLI script (default: the orchestrator's `npm` dependency, unpacked from an asar). */
  npmCli?: string;
  /** Where `env` came from (desktops: the login shell's environment), for the dashboard. */
  environment?: WorkerEnvironment;
  /** Bound on one worker runtime install (default 15 min). */
  installTimeoutMs?: number;
  timings?: Partial<Timings>;
  /** Supervisor backoff unit (tests scale the 1/5/15/60/300 s schedule down). */
  backoffUnitMs?: number;
  connectivityIntervalMs?: number;
  /** After a self-upgrade installed a new version: give way to it (default: exit 0). */
  exitForRestart?: () => void;
  /** The desktop host's own updates (electron-updater); absent on servers. */
  desktopUpdate?: DesktopUpdatePort;
  /** The process table the resource sampler reads (default: this OS's; tests inject). */
  processTable?: ProcessTable;
  /** How often the resource sampler reads it (default 5 s). */
  resourceIntervalMs?: number;
  /** The native service as the host's service module sees it, for `doctor`. */
  serviceStatus?: () => Promise<ServiceFacts | null>;
  log?: DaemonLog;
}

export interface Daemon {
  readonly paths: Paths;
  readonly orchestrator: Orchestrator;
  readonly supervisor: Supervisor;
  readonly runtime: WorkerRuntime;
  readonly ownership: Ownership;
  readonly recovered: RecoverReport;
  readonly localToken: string;
  /** What GET /metrics serves (Prometheus). */
  readonly metrics: DaemonMetrics;
  /**
   * Stop the loops and release ownership. `drain`: stop every worker, each after its run (the
   * host is going away). Otherwise hand them over: they keep running for the next daemon, which
   * adopts them and reads their output on from where this one stopped.
   */
  close(opts: { drain: boolean }): Promise<void>;
}

/** The concrete stores satisfy the orchestrator's worker-config port. */
const workerConfigs: WorkerConfigPort = {
  read: readWorkerConfig,
  write: (path, cfg, opts) =>
    writeWorkerConfig(
      path,
      {
        workerId: cfg.workerId,
        workerToken: cfg.workerToken ?? '',
        apiUrl: cfg.apiUrl,
        workspaceId: cfg.workspaceId ?? null,
      },
      opts,
    ),
};
export { workerConfigs };

export async function openDaemon(opts: DaemonOptions): Promise<Daemon> {
  // What every child inherits: never the launcher's ELECTRON_RUN_AS_NODE (child-env.ts).
  const env = childEnv(opts.env ?? process.env);
  const platform = opts.platform ?? process.platform;
  const log: DaemonLog = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const paths = pathsFor(resolveHome(env));
  // Explicit options win over the environment's tuning.
  const tuning = tuningFromEnv(env);
  opts = {
    ...opts,
    timings: { ...tuning.timings, ...opts.timings },
    backoffUnitMs: opts.backoffUnitMs ?? tuning.backoffUnitMs,
    connectivityIntervalMs: opts.connectivityIntervalMs ?? tuning.connectivityIntervalMs,
  };
  // The state folder is private whoever created it first, whatever the umask (§4.5); runs/ and
  // logs/ hold what workers did and said.
  for (const dir of [paths.home, paths.runsDir, paths.logsDir])
    await ensureDir(dir, 0o700, platform);
  // Ownership first: a second daemon must fail before it spawns anything (§12).
  const ownership = await acquireOwnership({
    paths,
    host: opts.host,
    instanceId: randomUUID(),
    version: VERSION,
    platform,
  });
  try {
    const store = openStore(paths);
    const localToken = await store.credentials.localToken();
    // A damaged manifest refuses the start here, before a worker is adopted or a port is taken:
    // the error names the file and field, and the file is kept as it is (§4.2).
    await store.manifest.list();
    const metrics = createDaemonMetrics({
      version: VERSION,
      node: process.versions.node,
      platform,
    });
    const api = new ApiClient({
      onCallFailed: (endpoint, kind) => metrics.apiError(endpoint, kind),
    });
    const tools = createToolRunner(platform);
    const node = opts.node ?? selfNodeRuntime(process, existsSync);
    const npmCli = opts.npmCli ?? bundledNpmCli();
    // The streams, the monitor and the runtime call back into the orchestrator, which needs them.
    // eslint-disable-next-line prefer-const
    let orchestrator: Orchestrator;
    const runtime = createWorkerRuntime({
      home: paths.home,
      pkg: WORKER_PACKAGE,
      platform,
      node,
      npmCli,
      run: tools,
      env,
      ...(opts.environment ? { environment: opts.environment } : {}),
      ...(opts.installTimeoutMs !== undefined ? { installTimeoutMs: opts.installTimeoutMs } : {}),
      onInstall: (install) => orchestrator?.onRuntimeInstall(install),
    });
    await runtime.load();
    const supervisor = createSupervisor({
      paths,
      instanceId: ownership.record.instanceId,
      env,
      platform,
      workerBin: resolveWorkerBin(env),
      plan: (id) => {
        const p = runtime.plan(id);
        return p.source === 'none' ? { problem: p.problem } : p;
      },
      ...(opts.backoffUnitMs ? { backoff: backoffPolicy({ unitMs: opts.backoffUnitMs }) } : {}),
      drainCeilingMs: opts.timings?.drainCeilingMs ?? null,
      // Windows drains wait until the worker holds no run (there is no drain signal).
      isIdle: (id) => orchestrator.workerIdle(id),
      ...(opts.timings?.drainPollMs ? { idlePollMs: opts.timings.drainPollMs } : {}),
      onError: (e) => log(`supervisor: ${errorMessage(e)}`, { level: 'warn' }),
      captureCounters: { output: metrics.captured, skipped: metrics.skipped },
    });
    const recovered = await supervisor.recover();
    for (const a of recovered.adopted)
      log(`adopted worker ${a.workerId} (pid ${a.pid}) left running by a previous daemon`, {
        event: 'adopted',
        worker: a.workerId,
      });

    // Streams back off further with every failed reconnect during an outage (up to a minute);
    // once the monitor sees an API answer again they retry at once instead of waiting it out.
    const backoff = wakeableSleep();
    const streams = new EventStreams({
      got: api.http,
      sleep: backoff.sleep,
      onEvent: (id, ev) => orchestrator.onWorkerEvent(id, ev),
      onProblem: (id, message) =>
        log(`event stream ${id}: ${message}`, { level: 'warn', event: 'event_stream', worker: id }),
    });
    let lastSample: ConnectivitySample | null = null;
    const connectivity = createConnectivityMonitor({
      apiUrls: () => orchestrator.knownApiUrls(),
      probeApi: (url) => api.health(url),
      probeInternet: () => api.probe(env.PIPEDAI_INTERNET_PROBE_URL || DEFAULT_INTERNET_PROBE_URL),
      logFile: paths.connectivityLog,
      intervalMs: opts.connectivityIntervalMs,
      onSample: (sample) => {
        if (apiCameBack(lastSample, sample)) backoff.wake();
        lastSample = sample;
        orchestrator.onConnectivity(sample);
      },
    });
    const runs = createRunEventsReader(paths.runsDir);
    const runTail = createRunTail({
      runsDir: paths.runsDir,
      reader: runs,
      emit: (id, runId, items) => orchestrator.onRunEvents(id, runId, items),
      onError: (e) => log(`run events: ${errorMessage(e)}`, { level: 'warn' }),
    });
    // The orchestrator's own npm on the daemon's Node (inside Electron too: a self-upgrade installs
    // into a folder of ours, never npm's global prefix), unless the operator names one.
    const npm = createNpmInstaller(opts.npmRunner ?? tools, {
      env: { ...env, ...node.env },
      ...(tuning.npm ? { npm: tuning.npm } : { npm: node.execPath, npmArgs: [npmCli] }),
    });
    const workerCli = createWorkerCli(
      tools,
      () => {
        const p = runtime.launchFor(null);
        return p.source === 'none' ? null : p;
      },
      env,
    );
    const doctor = sharedDiagnostics(paths.home);
    // Adopted workers have no child handle: the sampler goes by the pid the supervisor knows.
    const resources = createResourceSampler({
      table: opts.processTable ?? processTableFor(platform),
      roots: () =>
        supervisor.statuses().flatMap((s) => (s.pid !== null ? [{ id: s.id, pid: s.pid }] : [])),
      ...(opts.resourceIntervalMs ? { intervalMs: opts.resourceIntervalMs } : {}),
      onSample: (sample) => orchestrator.onResources(sample),
      onError: (e) => log(`resource sampler: ${errorMessage(e)}`, { level: 'warn' }),
    });
    orchestrator = createOrchestrator({
      paths,
      version: VERSION,
      hostname: osHostname(),
      manifest: store.manifest,
      credentials: store.credentials,
      workerConfigs,
      supervisor,
      api,
      streams: { sync: (t) => streams.sync(t), close: () => void streams.close() },
      workerCli,
      selfUpdater: createSelfUpdater({
        home: paths.home,
        version: VERSION,
        npm,
        run: tools,
        node,
        env,
      }),
      runtime,
      runs,
      runTail,
      connectivity,
      releases: createReleaseTracker((url) => api.releasesLatest(url), Date.now, {
        ...(opts.timings?.releasesRetryMs ? { retryMinMs: opts.timings.releasesRetryMs } : {}),
        ...(opts.timings?.releasesMs
          ? { retryMaxMs: Math.min(3_600_000, opts.timings.releasesMs) }
          : {}),
      }),
      exitForRestart: opts.exitForRestart ?? (() => process.exit(0)),
      ...(opts.desktopUpdate ? { desktopUpdate: opts.desktopUpdate } : {}),
      diagnose: async (workers, cliVersion) =>
        doctor(
          async () =>
            collectFacts({
              paths,
              env,
              platform,
              by: 'daemon',
              version: VERSION,
              manifest: await store.manifest.list(),
              workers,
              owner: () => readLiveOwner(paths),
              service: opts.serviceStatus ?? (async () => null),
              runtime: runtime.overview(),
              workerVersion: () => workerCli.version(),
              // /api/self's figures (measureDisk), measured now: its cache may be a minute old.
              disk: () => measureDisk(paths),
              probeApi: (url) => api.healthAndDate(url),
            }),
          cliVersion,
        ),
      resources,
      onRunEnded: (id, outcome) => metrics.runEnded(id, outcome),
      timings: opts.timings,
      runsLimits: tuning.runsLimits,
      onBackgroundError: (what, e) => log(`${what}: ${errorMessage(e)}`, { level: 'warn' }),
      log,
    });
    supervisor.events.on('state', (s) => orchestrator.onWorkerState(s));
    supervisor.events.on('log', ({ id, ...line }) => orchestrator.onWorkerLog(id, line));
    metrics.attach({
      workers: async () => (await orchestrator.listWorkers({})).items,
      connectivity: () => connectivity.current(),
    });

    return {
      paths,
      orchestrator,
      supervisor,
      runtime,
      ownership,
      recovered,
      localToken,
      metrics,
      async close({ drain }) {
        await orchestrator.shutdown({ drain: false });
        await streams.close();
        if (drain) await supervisor.close();
        else await supervisor.detach();
        api.close();
        await ownership.release();
      },
    };
  } catch (e) {
    await ownership.release();
    throw e;
  }
}

/** A Sleep that `wake()` ends early (an aborted signal ends it too, as with the default one). */
function wakeableSleep(): { sleep: Sleep; wake(): void } {
  const sleepers = new Set<() => void>();
  return {
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          sleepers.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        sleepers.add(done);
        signal?.addEventListener('abort', done, { once: true });
        if (signal?.aborted) done();
      }),
    wake() {
      for (const done of [...sleepers]) done();
    },
  };
}

/** An API that failed its previous probe answered this one. */
function apiCameBack(previous: ConnectivitySample | null, sample: ConnectivitySample): boolean {
  const failedBefore = new Set(previous?.api.filter((p) => !p.ok).map((p) => p.url));
  return sample.api.some((p) => p.ok && failedBefore.has(p.url));
}
