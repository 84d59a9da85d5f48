// The three measurement phases, each on a fresh daemon with a fresh copy of the state folder:
// idle with no workers, idle with the fleet (start, memory, CPU, latency, crash recovery), and the
// fleet printing chatter (log throughput, memory under load, latency under load).
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from './sandbox.ts';
import {
  openLogCounter,
  startLatencyProbe,
  type LatencyResult,
  type LogCounter,
  type LogWindow,
} from './clients.ts';
import {
  daemonEnv,
  startDaemon,
  waitApiReady,
  type DaemonBinary,
  type RunningDaemon,
  type StopReport,
} from './daemons.ts';
import {
  cpuSeconds,
  median,
  rssKiB,
  sampleRss,
  sleep,
  steadyRssKiB,
  treeRssKiB,
  waitFor,
  type RssTrace,
} from './measure.ts';
import { pidsMentioning, processArgvs, spawnTracked, stopChild } from './procs.ts';
import { timeCli, type CliTiming } from './cli-start.ts';
import { workerConfigPath, writeHome, type Fleet, type FleetWorker } from './setup.ts';

export interface Windows {
  /** Pause after the fleet runs, before memory and CPU are read (start-up garbage settles). */
  settleMs: number;
  /** Several RSS reads are spread over this span and their median kept. */
  rssSpanMs: number;
  idleCpuMs: number;
  idleLatencyMs: number;
  /** Chatter delivered before the counting window opens (pipes and sockets warm up). */
  logWarmupMs: number;
  logMs: number;
  crashes: number;
  /** Runs per CLI command (median kept). */
  cliRuns: number;
}

export interface BenchContext {
  root: string;
  sandbox: Sandbox;
  fleet: Fleet;
  pathPrefix: string[];
  baseEnv: NodeJS.ProcessEnv;
  windows: Windows;
  /** Chatter per worker, lines/s, and bytes per line (PIPEDAI_SIM_LOG_RATE / _LOG_LINE_BYTES). */
  logRate: number;
  logLineBytes: number;
  log: (line: string) => void;
}

export interface IdleEmpty {
  readyMs: number;
  /** CPU seconds the daemon had used when its API first answered (load-independent start cost). */
  readyCpuS: number;
  rssKiB: number;
  stop: StopReport;
}

export interface IdleFleet {
  readyMs: number;
  /** Until the last worker process exists: the daemon's own share of the start. */
  spawnedMs: number;
  runningMs: number;
  rssKiB: number;
  treeRssKiB: number;
  /** CPU seconds of the daemon process, scaled to a 60 s window. */
  cpuPer60s: number;
  latency: LatencyResult;
  crashToRunningMs: number[];
  /** The CLI against this daemon: ours `workers --json` and `logs <id>`; the published CLI has
   * neither, so both rows time its `upgrade <unknown label>` (one GET /api/workers, exit 1). */
  cli: { workers: CliTiming; logs: CliTiming };
  stop: StopReport;
}

export interface Flood {
  runningMs: number;
  window: LogWindow;
  /** CPU seconds the daemon used over the window. */
  cpuSeconds: number;
  rss: RssTrace;
  latency: LatencyResult;
  stop: StopReport;
}

const START_TIMEOUT_MS = 120_000;

/** Runs `body` against a fresh daemon on a fresh home with `count` workers; always stops it. */
async function withDaemon<T>(
  ctx: BenchContext,
  bin: DaemonBinary,
  opts: { phase: string; count: number; extraEnv?: Record<string, string> },
  body: (d: RunningDaemon, home: string) => Promise<T>,
): Promise<T & { stop: StopReport }> {
  const home = await mkdtemp(join(ctx.root, `${bin.kind}-${opts.phase}-`));
  await writeHome(home, ctx.fleet, opts.count);
  const env = daemonEnv({
    base: ctx.baseEnv,
    home,
    pathPrefix: ctx.pathPrefix,
    ...(opts.extraEnv ? { extra: opts.extraEnv } : {}),
  });
  const d = await startDaemon(bin, { home, env, token: ctx.fleet.localToken });
  let result: T;
  try {
    result = await body(d, home);
  } catch (e) {
    await d.stop();
    const tail = d.stderrTail().trim();
    throw new Error(
      `${bin.kind} ${opts.phase}: ${e instanceof Error ? e.message : String(e)}${tail ? `\n--- daemon stderr ---\n${tail}` : ''}`,
      { cause: e },
    );
  }
  const stop = await d.stop();
  if (stop.strays > 0)
    ctx.log(`  ! ${bin.kind} left ${stop.strays} worker process(es) running after it exited`);
  await rm(home, { recursive: true, force: true });
  return { ...result, stop };
}

/** Waits until every fleet worker of the home sent a heartbeat after `before` was taken. */
async function waitFleetRunning(
  ctx: BenchContext,
  d: RunningDaemon,
  workers: FleetWorker[],
  before: Map<string, number>,
): Promise<number> {
  return waitFor(
    `${d.kind}: all ${workers.length} workers heartbeating`,
    async () => {
      const now = await ctx.sandbox.heartbeats();
      const up = workers.every((w) => (now.get(w.workerId) ?? 0) > (before.get(w.workerId) ?? 0));
      return up ? performance.now() - d.spawnedAt : undefined;
    },
    { timeoutMs: START_TIMEOUT_MS, everyMs: 25 },
  );
}

/** Waits until a process exists for every worker config of the home (spawned, maybe not booted). */
function waitFleetSpawned(d: RunningDaemon, home: string, workers: FleetWorker[]): Promise<number> {
  const needles = workers.map((w) => workerConfigPath(home, w.slug));
  return waitFor(
    `${d.kind}: all ${workers.length} workers spawned`,
    () => {
      const argvs = processArgvs();
      const all = needles.every((n) => argvs.some((a) => a.includes(n)));
      return all ? performance.now() - d.spawnedAt : undefined;
    },
    { timeoutMs: START_TIMEOUT_MS, everyMs: 10 },
  );
}

export function idleEmpty(ctx: BenchContext, bin: DaemonBinary): Promise<IdleEmpty> {
  return withDaemon(ctx, bin, { phase: 'empty', count: 0 }, async (d) => {
    const readyMs = await waitApiReady(d, START_TIMEOUT_MS);
    const readyCpuS = cpuSeconds(d.pid);
    await sleep(ctx.windows.settleMs);
    const rss = await steadyRssKiB(() => rssKiB(d.pid), 5, ctx.windows.rssSpanMs);
    return { readyMs, readyCpuS, rssKiB: rss };
  });
}

export function idleFleet(ctx: BenchContext, bin: DaemonBinary): Promise<IdleFleet> {
  const workers = ctx.fleet.workers;
  return withDaemon(ctx, bin, { phase: 'fleet', count: workers.length }, async (d, home) => {
    const before = await ctx.sandbox.heartbeats();
    const [readyMs, spawnedMs, runningMs] = await Promise.all([
      waitApiReady(d, START_TIMEOUT_MS),
      waitFleetSpawned(d, home, workers),
      waitFleetRunning(ctx, d, workers, before),
    ]);
    await sleep(ctx.windows.settleMs);

    // Memory is read during the CPU window: /proc reads cost the daemon nothing.
    const rssReads: number[] = [];
    const cpu0 = cpuSeconds(d.pid);
    const t0 = performance.now();
    const reads = Math.max(3, Math.round(ctx.windows.idleCpuMs / 2000));
    for (let i = 0; i < reads; i++) {
      await sleep(ctx.windows.idleCpuMs / reads);
      const v = rssKiB(d.pid);
      if (v === null) throw new Error('daemon exited while idle');
      rssReads.push(v);
    }
    const cpuPer60s = ((cpuSeconds(d.pid) - cpu0) / (performance.now() - t0)) * 60_000;
    const tree = treeRssKiB(d.pid);
    const rss = median(rssReads);

    const probe = await startLatencyProbe({ url: d.url, token: ctx.fleet.localToken, gapMs: 20 });
    probe.record();
    await sleep(ctx.windows.idleLatencyMs);
    const latency = await probe.stop();

    const cliEnv = daemonEnv({ base: ctx.baseEnv, home, pathPrefix: ctx.pathPrefix });
    const port = new URL(d.url).port;
    const cliTime = (args: string[]) =>
      timeCli(bin.node, [bin.cli, ...args], cliEnv, ctx.windows.cliRuns);
    const cli =
      bin.kind === 'ours'
        ? {
            workers: await cliTime(['workers', '--json']),
            logs: await cliTime(['logs', workers[0]!.workerId, '--tail', '100']),
          }
        : await cliTime(['upgrade', 'no-such-worker', '--port', port]).then((t) => ({
            workers: t,
            logs: t,
          }));

    const crashToRunningMs: number[] = [];
    for (let i = 0; i < ctx.windows.crashes; i++) {
      const victim = workers[(i * 7) % workers.length]!;
      crashToRunningMs.push(await crashAndWait(ctx, d, home, victim));
    }
    return {
      readyMs,
      spawnedMs,
      runningMs,
      rssKiB: rss,
      treeRssKiB: tree,
      cpuPer60s,
      latency,
      crashToRunningMs,
      cli,
    };
  });
}

export interface CliStart {
  version: CliTiming;
  help: CliTiming;
}

/** `--version` and `--help` of one CLI (no daemon needed), on the bench's root home. */
export async function cliStart(ctx: BenchContext, bin: DaemonBinary): Promise<CliStart> {
  const env = daemonEnv({ base: ctx.baseEnv, home: ctx.root, pathPrefix: ctx.pathPrefix });
  const run = (args: string[]) => timeCli(bin.node, [bin.cli, ...args], env, ctx.windows.cliRuns);
  return { version: await run(['--version']), help: await run(['--help']) };
}

/** Bare `node -e 0`: the floor of any CLI's start. */
export function bareNodeStart(ctx: BenchContext): Promise<CliTiming> {
  const env = daemonEnv({ base: ctx.baseEnv, home: ctx.root, pathPrefix: ctx.pathPrefix });
  return timeCli(process.execPath, ['-e', '0'], env, ctx.windows.cliRuns);
}

/**
 * SIGKILLs one worker (an unexpected exit as far as the daemon knows) and times until a new
 * process for the same config is up and has reached the API (its first heartbeat).
 */
async function crashAndWait(
  ctx: BenchContext,
  d: RunningDaemon,
  home: string,
  victim: FleetWorker,
): Promise<number> {
  const needle = workerConfigPath(home, victim.slug);
  const [pid, ...others] = pidsMentioning(needle);
  if (pid === undefined || others.length > 0)
    throw new Error(
      `${d.kind}: expected one process for ${victim.slug}, found ${others.length + (pid ? 1 : 0)}`,
    );
  const before = await ctx.sandbox.heartbeatsOf(victim.workerId);
  const t0 = performance.now();
  process.kill(pid, 'SIGKILL');
  return waitFor(
    `${d.kind}: ${victim.slug} replaced after a crash`,
    async () => {
      const fresh = pidsMentioning(needle).filter((p) => p !== pid);
      if (fresh.length === 0) return undefined;
      const now = await ctx.sandbox.heartbeatsOf(victim.workerId);
      return now > before ? performance.now() - t0 : undefined;
    },
    { timeoutMs: 60_000, everyMs: 20 },
  );
}

export function flood(ctx: BenchContext, bin: DaemonBinary): Promise<Flood> {
  const workers = ctx.fleet.workers;
  const extraEnv = {
    PIPEDAI_SIM_LOG_RATE: String(ctx.logRate),
    PIPEDAI_SIM_LOG_LINE_BYTES: String(ctx.logLineBytes),
  };
  return withDaemon(ctx, bin, { phase: 'flood', count: workers.length, extraEnv }, async (d) => {
    const before = await ctx.sandbox.heartbeats();
    // The probe starts with the daemon (its thread and fetch load while the workers boot) and
    // only records inside the window.
    const [probe, runningMs] = await Promise.all([
      waitApiReady(d, START_TIMEOUT_MS).then(() =>
        startLatencyProbe({ url: d.url, token: ctx.fleet.localToken, gapMs: 20 }),
      ),
      waitFleetRunning(ctx, d, workers, before),
    ]);
    let counter: LogCounter | null = null;
    try {
      counter = await openLogCounter(d.wsUrl());
      await sleep(ctx.windows.logWarmupMs);
      const stopRss = sampleRss(d.pid);
      const cpu0 = cpuSeconds(d.pid);
      probe.record();
      counter.startWindow();
      await sleep(ctx.windows.logMs);
      const window = counter.endWindow();
      const cpu = cpuSeconds(d.pid) - cpu0;
      const rss = stopRss();
      const latency = await probe.stop();
      return { runningMs, window, cpuSeconds: cpu, rss, latency };
    } finally {
      counter?.close();
      await probe.stop().catch(() => undefined);
    }
  });
}

/** RSS of a bare `node` process that only keeps its event loop alive: the floor both start from. */
export async function bareNodeRssKiB(ctx: BenchContext): Promise<number> {
  const child = spawnTracked(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], {
    stdio: 'ignore',
    env: daemonEnv({ base: ctx.baseEnv, home: ctx.root, pathPrefix: [] }),
  });
  try {
    await sleep(Math.min(ctx.windows.settleMs, 2000));
    return await steadyRssKiB(() => rssKiB(child.pid!), 5, ctx.windows.rssSpanMs);
  } finally {
    await stopChild(child, 'SIGKILL', 1000);
  }
}
