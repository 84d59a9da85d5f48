// The supervisor: one SupervisedWorker per manifest entry, reconciled against the manifest
// (contract §5.4), every live child recorded so a restarted daemon adopts instead of doubling.
import { spawn as nodeSpawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { LogLine, ManifestEntry, SupervisorStatus } from '../../../shared/index.ts';
import { CommandError } from '../../../shared/index.ts';
import type { Paths } from '../paths.ts';
import { backoffPolicy, type BackoffPolicy } from './backoff.ts';
import {
  childRegistryFile,
  createChildRegistry,
  type ChildRegistryBook,
  type ChildRegistryStore,
} from './child-registry.ts';
import { createCaptureHub } from './capture/capture-hub.ts';
import type {
  CaptureCounters,
  CaptureLimits,
  OutputCapture,
  PunchHole,
  SpawnStdio,
} from './capture/worker-capture.ts';
import { createWorkerLog, type WorkerLog } from './logs/index.ts';
import { systemProcessProbe, type ProcessProbe } from './process-probe.ts';
import {
  binLaunch,
  createKiller,
  resolveWorkerBin,
  runCommand,
  systemKillPrimitives,
  workerEnv,
  type KillPrimitives,
  type Killer,
  type WorkerLaunchCommand,
} from './spawn.ts';
import { SupervisedWorker, type StopOptions } from './supervised-worker.ts';
import { adoptWorkerProcess, spawnWorkerProcess, type SpawnFn } from './worker-process.ts';

export interface WorkerLogEvent extends LogLine {
  id: string;
}

export interface SupervisorEventMap {
  /** Every state transition of every worker. */
  state: [SupervisorStatus];
  /** Every captured output line. */
  log: [WorkerLogEvent];
}

export type SupervisorEvents = EventEmitter<SupervisorEventMap>;

export interface SupervisorOptions {
  paths: Pick<Paths, 'children' | 'logFile' | 'captureDir'>;
  /** This daemon's instance id (tagged on every child, written in the child registry). */
  instanceId: string;
  /** The daemon environment children inherit (default process.env). */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Default: `$PIPEDAI_WORKER_BIN` from `env`, else `pipedai-worker` on PATH. */
  workerBin?: string;
  /**
   * What starts a worker, asked at every spawn (the managed runtime): a launch, or why there is
   * none (the worker then waits in needs-runtime). Default: `workerBin` for every worker.
   */
  plan?: (workerId: string) => WorkerLaunchCommand | { problem: string };
  spawn?: SpawnFn;
  killPrimitives?: KillPrimitives;
  probe?: ProcessProbe;
  /** Default: the JSON file at paths.children. */
  registry?: ChildRegistryStore;
  backoff?: BackoffPolicy;
  /**
   * The operator's ceiling on a drain, after which the tree is killed. Default: none, a drain
   * waits for the run however long (Force stop is the operator's call).
   */
  drainCeilingMs?: number | null;
  /** Windows drains: does the worker hold no run now? (absent: a Windows stop kills at once) */
  isIdle?: (workerId: string) => Promise<boolean>;
  /** How often a Windows drain asks isIdle (default 2 s). */
  idlePollMs?: number;
  /** How often an adopted worker's liveness is checked (default 1 s). */
  adoptPollMs?: number;
  random?: () => number;
  now?: () => number;
  events?: SupervisorEvents;
  /** Default: createWorkerLog teeing to paths.logFile(id), its ring restored from that file. */
  createLog?: (workerId: string, onLine: (line: LogLine) => void) => WorkerLog;
  /** Default: the worker's output files under paths.captureDir, tailed into its log. */
  createCapture?: (workerId: string, log: WorkerLog) => OutputCapture;
  captureLimits?: Partial<CaptureLimits>;
  /** How often the output files are checked behind the file watcher (default 500 ms). */
  capturePollMs?: number;
  punchHole?: PunchHole;
  /** Told what the capture reads and skips of every worker's output (the metrics). */
  captureCounters?: CaptureCounters;
  /** Failures that do not stop supervision (a child-registry write). */
  onError?: (err: unknown) => void;
}

export interface RecoverReport {
  /** Workers whose process survived the previous daemon and now run adopted. */
  adopted: { workerId: string; pid: number }[];
  /** Records that no longer named our process. */
  dropped: { workerId: string; pid: number }[];
  /** Duplicate processes for a worker already adopted (killed). */
  killed: { workerId: string; pid: number }[];
}

export interface Supervisor {
  readonly events: SupervisorEvents;
  /** Adopt the children a previous daemon left; runs once (the first reconcile awaits it). */
  recover(): Promise<RecoverReport>;
  /**
   * Start what is enabled, stop what is disabled or gone. Resolves when every stop it issued has
   * completed, unless `waitForStops` is false: a stop drains a run, however long, and a verb on
   * one worker must not wait for another worker's drain.
   */
  reconcile(entries: readonly ManifestEntry[], opts?: { waitForStops?: boolean }): Promise<void>;
  /** Throws CommandError not-found for an id no reconcile has created. */
  start(id: string): void;
  /** Resolves when the worker is stopped; an unknown id has nothing to stop. */
  stop(id: string, opts?: StopOptions): Promise<void>;
  /** Stop then start; a stop issued meanwhile wins. An unknown id is left to reconcile. */
  restart(id: string, opts?: StopOptions): Promise<void>;
  status(id: string): SupervisorStatus | null;
  statuses(): SupervisorStatus[];
  logs(id: string, n?: number): LogLine[];
  /** Stop every worker in parallel; they can be started again. */
  stopAll(opts?: StopOptions): Promise<void>;
  /** Daemon shutdown: stop every worker in parallel, close the logs, refuse further starts. */
  close(opts?: StopOptions): Promise<void>;
  /**
   * Hand the workers to the next daemon: leave every process running, save where their output
   * was read, stop watching. The child registry names them for the next daemon to adopt.
   */
  detach(): Promise<void>;
}

const tag = (r: { workerId: string; pid: number }) => ({ workerId: r.workerId, pid: r.pid });

export function createSupervisor(opts: SupervisorOptions): Supervisor {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const workerBin = opts.workerBin ?? resolveWorkerBin(env);
  const plan = opts.plan ?? (() => binLaunch(workerBin));
  const spawn: SpawnFn = opts.spawn ?? nodeSpawn;
  const killer: Killer = createKiller(
    platform,
    opts.killPrimitives ?? systemKillPrimitives(platform, env),
  );
  const probe = opts.probe ?? systemProcessProbe(platform);
  const backoff = opts.backoff ?? backoffPolicy();
  const drainCeilingMs = opts.drainCeilingMs ?? null;
  const adoptPollMs = opts.adoptPollMs ?? 1000;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const events: SupervisorEvents = opts.events ?? new EventEmitter<SupervisorEventMap>();
  const onError = opts.onError ?? (() => undefined);
  const createLog =
    opts.createLog ??
    ((workerId, onLine) =>
      createWorkerLog({ workerId, file: opts.paths.logFile(workerId), onLine, restore: true }));
  const hub = opts.createCapture
    ? null
    : createCaptureHub({
        dir: opts.paths.captureDir,
        platform,
        onError,
        ...(opts.capturePollMs ? { pollMs: opts.capturePollMs } : {}),
        ...(opts.captureLimits ? { limits: opts.captureLimits } : {}),
        ...(opts.punchHole ? { punchHole: opts.punchHole } : {}),
        ...(opts.captureCounters ? { counters: opts.captureCounters } : {}),
      });
  const createCapture =
    opts.createCapture ?? ((workerId: string, log: WorkerLog) => hub!.capture(workerId, log));
  const registry: ChildRegistryBook = createChildRegistry({
    store: opts.registry ?? childRegistryFile(opts.paths.children),
    probe,
    platform,
    instanceId: opts.instanceId,
    registryTag: opts.paths.children,
    now,
    onError,
  });

  const workers = new Map<string, SupervisedWorker>();
  /** Dropped from the manifest, kept until their process is gone (so an id never runs twice). */
  const retiring = new Set<string>();
  /** Enabled but waiting: another worker's process still runs their config path. */
  const deferred = new Set<string>();
  let recovered: Promise<RecoverReport> | null = null;
  let closed = false;

  const emit = <K extends keyof SupervisorEventMap>(
    name: K,
    ...args: SupervisorEventMap[K]
  ): void => {
    try {
      (events.emit as (n: K, ...a: SupervisorEventMap[K]) => boolean)(name, ...args);
    } catch (err) {
      onError(err); // a listener's bug must not break a transition
    }
  };

  const pathHeldElsewhere = (w: SupervisedWorker): boolean =>
    [...workers.values()].some((o) => o !== w && o.configPath === w.configPath && o.hasProcess);

  const keepRunning = (w: SupervisedWorker): void => {
    if (pathHeldElsewhere(w)) {
      deferred.add(w.id);
      return;
    }
    deferred.delete(w.id);
    w.keepRunning();
  };

  const onChange = (status: SupervisorStatus): void => {
    emit('state', status);
    if (status.pid !== null || deferred.size === 0) return;
    for (const id of [...deferred]) {
      const w = workers.get(id);
      if (w === undefined) deferred.delete(id);
      else keepRunning(w);
    }
  };

  const create = (id: string, configPath: string): SupervisedWorker => {
    const log = createLog(id, (line) => emit('log', { id, ...line }));
    const capture = createCapture(id, log);
    const isIdle = opts.isIdle;
    const worker = new SupervisedWorker(id, configPath, {
      platform,
      log,
      capture,
      backoff,
      drainCeilingMs,
      ...(isIdle ? { isIdle: () => isIdle(id) } : {}),
      idlePollMs: opts.idlePollMs ?? 2000,
      random,
      now,
      onChange,
      launch: (handlers) => {
        const launch = plan(id);
        if ('problem' in launch) return launch;
        const command = (output: SpawnStdio['stdio']) =>
          runCommand({
            platform,
            launch,
            configPath,
            env: workerEnv(env, id, opts.instanceId, opts.paths.children),
            output,
          });
        const proc = spawnWorkerProcess(
          command,
          { spawn, killer, log, capture },
          {
            onSpawn: (pid) => {
              registry.add({ workerId: id, pid, configPath });
              handlers.onSpawn(pid);
            },
            onExit: (result) => {
              if (proc.pid !== null) registry.remove(proc.pid);
              handlers.onExit(result);
            },
          },
        );
        return proc;
      },
    });
    workers.set(id, worker);
    return worker;
  };

  const get = (id: string): SupervisedWorker => {
    const w = workers.get(id);
    if (w === undefined) throw new CommandError('not-found', `no supervised worker ${id}`);
    return w;
  };

  const assertOpen = (): void => {
    if (closed) throw new CommandError('unavailable', 'the supervisor is shutting down');
  };

  async function retire(id: string, w: SupervisedWorker): Promise<void> {
    retiring.add(id);
    deferred.delete(id);
    await w.stop();
    if (!retiring.has(id) || workers.get(id) !== w || w.hasProcess) return; // re-added meanwhile
    // Stryker disable next-line CallExpression: an id left here is cleared by the reconcile that lists it again, and nothing else reads it
    retiring.delete(id);
    workers.delete(id);
    await w.close();
  }

  async function doRecover(): Promise<RecoverReport> {
    const { live, dropped } = await registry.recover();
    const report: RecoverReport = { adopted: [], dropped: dropped.map(tag), killed: [] };
    for (const rec of live) {
      if (workers.has(rec.workerId)) {
        report.killed.push(tag(rec));
        await killer.killTree(rec.pid);
        registry.remove(rec.pid);
        continue;
      }
      const w = create(rec.workerId, rec.configPath);
      w.adopt(
        (handlers) =>
          adoptWorkerProcess(
            rec,
            { probe, killer, pollMs: adoptPollMs, capture: w.capture },
            {
              onSpawn: handlers.onSpawn,
              onExit: (result) => {
                registry.remove(rec.pid);
                handlers.onExit(result);
              },
            },
          ),
        rec.spawnedAt,
      );
      report.adopted.push(tag(rec));
    }
    return report;
  }

  // Once; a failure (an unreadable children.json) is not remembered, so a later call retries.
  const recover = (): Promise<RecoverReport> =>
    (recovered ??= doRecover().catch((err: unknown) => {
      recovered = null;
      throw err;
    }));

  async function stopAll(stopOpts: StopOptions = {}): Promise<void> {
    await Promise.all([...workers.values()].map((w) => w.stop(stopOpts)));
  }

  return {
    events,
    recover,
    async reconcile(entries, reconcileOpts = {}) {
      assertOpen();
      await recover();
      assertOpen();
      const wanted = new Set(entries.map((e) => e.id));
      const waits: Promise<void>[] = [];
      for (const entry of entries) {
        const w = workers.get(entry.id) ?? create(entry.id, entry.configPath);
        retiring.delete(entry.id);
        if (entry.desiredState === 'enabled') {
          keepRunning(w);
        } else {
          deferred.delete(entry.id);
          waits.push(w.stop());
        }
      }
      for (const [id, w] of workers) if (!wanted.has(id)) waits.push(retire(id, w));
      if (reconcileOpts.waitForStops === false) {
        void Promise.all(waits).catch(onError);
        return;
      }
      await Promise.all(waits);
    },
    start(id) {
      assertOpen();
      const w = get(id);
      if (pathHeldElsewhere(w)) {
        throw new CommandError('conflict', `another worker still runs ${w.configPath}`);
      }
      w.start();
    },
    // Unknown to the supervisor (an entry not reconciled yet): nothing runs, so there is
    // nothing to stop; a restart is left to the reconcile that follows every verb.
    async stop(id, stopOpts) {
      deferred.delete(id);
      await workers.get(id)?.stop(stopOpts);
    },
    async restart(id, stopOpts) {
      assertOpen();
      await workers.get(id)?.restart(stopOpts);
    },
    status: (id) => workers.get(id)?.status() ?? null,
    statuses: () => [...workers.values()].map((w) => w.status()),
    logs: (id, n) => workers.get(id)?.log.tail(n) ?? [],
    stopAll,
    async close(stopOpts = {}) {
      closed = true;
      // Stryker disable next-line CallExpression: only frees the set; every worker is closed below, and a start of a closed worker does nothing
      deferred.clear();
      await Promise.all([...workers.values()].map((w) => w.close(stopOpts)));
      hub?.close();
      await registry.idle();
    },
    async detach() {
      closed = true;
      // Stryker disable next-line CallExpression: only frees the set; every worker is closed below, and a start of a closed worker does nothing
      deferred.clear();
      await Promise.all([...workers.values()].map((w) => w.detach()));
      hub?.close();
      await registry.idle();
    },
  };
}
