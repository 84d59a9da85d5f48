// Assembles a working daemon from real parts: the one place that knows every concrete class.
// Both hosts (headless `start`, Electron main) call openDaemon and then serve its Orchestrator.
import { randomUUID } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { ApiClient, EventStreams, type Sleep } from './api/index.ts';
import { createConnectivityMonitor } from './connectivity/monitor.ts';
import { createOrchestrator, type Orchestrator } from './orchestrator/index.ts';
import type { Timings } from './orchestrator/context.ts';
import { collectFacts, sharedDiagnostics } from './diagnostics/collect.ts';
import type { ServiceFacts } from './diagnostics/checks.ts';
import { acquireOwnership, readLiveOwner, type Ownership } from './owner/index.ts';
import { pathsFor, resolveHome, type Paths } from './paths.ts';
import type { DesktopUpdatePort, WorkerConfigPort } from './ports.ts';
import { createRunEventsReader } from './runs/run-events.ts';
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
import { createNpmInstaller } from './tools/npm.ts';
import { createToolRunner, type ToolRunner } from './tools/run-tool.ts';
import { createWorkerCli } from './tools/worker-cli.ts';
import { VERSION } from './version.ts';
import { tuningFromEnv } from './env-tuning.ts';
import type { ConnectivitySample, HostKind } from '../../shared/index.ts';

export const DEFAULT_INTERNET_PROBE_URL = 'https://www.google.com/generate_204';

export interface DaemonOptions {
  host: HostKind;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Runs npm (install -g): injected where a real global install must not happen (tests). */
  npmRunner?: ToolRunner;
  timings?: Partial<Timings>;
  /** Supervisor backoff unit (tests scale the 1/5/15/60/300 s schedule down). */
  backoffUnitMs?: number;
  connectivityIntervalMs?: number;
  exitForRestart?: () => void;
  /** The desktop host's own updates (electron-updater); absent on servers. */
  desktopUpdate?: DesktopUpdatePort;
  /** The native service as the host's service module sees it, for `doctor`. */
  serviceStatus?: () => Promise<ServiceFacts | null>;
  log?: (line: string) => void;
}

export interface Daemon {
  readonly paths: Paths;
  readonly orchestrator: Orchestrator;
  readonly supervisor: Supervisor;
  readonly ownership: Ownership;
  readonly recovered: RecoverReport;
  readonly localToken: string;
  /** Stop loops, optionally drain workers, release ownership. */
  close(opts: { drain: boolean; graceMs?: number }): Promise<void>;
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
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const paths = pathsFor(resolveHome(env));
  // Explicit options win over the environment's tuning.
  const tuning = tuningFromEnv(env);
  opts = {
    ...opts,
    timings: { ...tuning.timings, ...opts.timings },
    backoffUnitMs: opts.backoffUnitMs ?? tuning.backoffUnitMs,
    connectivityIntervalMs: opts.connectivityIntervalMs ?? tuning.connectivityIntervalMs,
  };
  // The state folder is private whoever created it first (the reference left it to the umask,
  // §4.5); runs/ and logs/ hold what workers did and said.
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
    const api = new ApiClient();
    const tools = createToolRunner(platform);
    const workerBin = resolveWorkerBin(env);
    const supervisor = createSupervisor({
      paths,
      instanceId: ownership.record.instanceId,
      env,
      platform,
      workerBin,
      ...(opts.backoffUnitMs ? { backoff: backoffPolicy({ unitMs: opts.backoffUnitMs }) } : {}),
      ...(opts.timings?.stopGraceMs !== undefined ? { graceMs: opts.timings.stopGraceMs } : {}),
      onError: (e) => log(`supervisor: ${e instanceof Error ? e.message : String(e)}`),
    });
    const recovered = await supervisor.recover();
    for (const a of recovered.adopted)
      log(`adopted worker ${a.workerId} (pid ${a.pid}) left running by a previous daemon`);

    // The streams and the monitor call back into the orchestrator, which needs them to exist.
    // eslint-disable-next-line prefer-const
    let orchestrator: Orchestrator;
    // Streams back off further with every failed reconnect during an outage (up to a minute);
    // once the monitor sees an API answer again they retry at once instead of waiting it out.
    const backoff = wakeableSleep();
    const streams = new EventStreams({
      got: api.http,
      sleep: backoff.sleep,
      onEvent: (id, ev) => orchestrator.onWorkerEvent(id, ev),
      onProblem: (id, message) => log(`event stream ${id}: ${message}`),
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
    const workerCli = createWorkerCli(tools, workerBin, env);
    const doctor = sharedDiagnostics(paths.home);
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
      npm: createNpmInstaller(opts.npmRunner ?? tools, {
        env,
        ...(tuning.npm ? { npm: tuning.npm } : {}),
      }),
      runs: createRunEventsReader(paths.runsDir),
      connectivity,
      releases: createReleaseTracker((url) => api.releasesLatest(url)),
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
              workerBin,
              workerVersion: () => workerCli.version(),
              probeApi: (url) => api.healthAndDate(url),
            }),
          cliVersion,
        ),
      timings: opts.timings,
      onBackgroundError: (what, e) => log(`${what}: ${e instanceof Error ? e.message : String(e)}`),
    });
    supervisor.events.on('state', (s) => orchestrator.onWorkerState(s));
    supervisor.events.on('log', ({ id, ...line }) => orchestrator.onWorkerLog(id, line));

    return {
      paths,
      orchestrator,
      supervisor,
      ownership,
      recovered,
      localToken,
      async close({ drain, graceMs }) {
        await orchestrator.shutdown({ drain: false });
        await streams.close();
        if (drain) await supervisor.close(graceMs !== undefined ? { graceMs } : {});
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
