// Starting and stopping the two daemons under test on one state folder: ours (dist/cli.js, state
// root from PIPEDAI_HOME) and the published @pipedai/orchestrator (state root from HOME only),
// both with the same Node, PATH (simulator first) and environment.
import { execFile } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { hasExited, killStrays, spawnTracked, stopChild } from './procs.ts';
import { sleep } from './measure.ts';
import { stateRoot } from './setup.ts';
import type { ChildProcess } from 'node:child_process';

const run = promisify(execFile);

export type DaemonKind = 'ours' | 'theirs';
export const DAEMON_KINDS: readonly DaemonKind[] = ['ours', 'theirs'];

export interface DaemonBinary {
  kind: DaemonKind;
  /** Package name and version, for the report. */
  name: string;
  version: string;
  node: string;
  cli: string;
}

export interface RunningDaemon {
  readonly kind: DaemonKind;
  readonly pid: number;
  readonly url: string;
  /** performance.now() right before the spawn. */
  readonly spawnedAt: number;
  readonly child: ChildProcess;
  /** GET a control-API path with the local token; never throws for HTTP errors. */
  get(path: string): Promise<Response>;
  wsUrl(): string;
  /** The tail of the daemon's stderr, for error messages. */
  stderrTail(): string;
  /** SIGTERM (the daemon drains its workers), then reap anything left of this home. */
  stop(): Promise<StopReport>;
}

export interface StopReport {
  /** The daemon exited by itself within the grace period. */
  graceful: boolean;
  /** From SIGTERM to the daemon's exit. */
  ms: number;
  /** Worker processes still alive after the daemon exited (then killed by the bench). */
  strays: number;
}

const PackageJson = z.object({ name: z.string(), version: z.string() });

export function oursBinary(repoRoot: string, cli: string): DaemonBinary {
  const pkg = PackageJson.parse(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')));
  return { kind: 'ours', name: pkg.name, version: pkg.version, node: process.execPath, cli };
}

/** npm-installs the published package into `prefix` (a fresh temp folder). */
export async function installPublished(opts: {
  spec: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
}): Promise<DaemonBinary> {
  await mkdir(opts.prefix, { recursive: true });
  await run(
    'npm',
    ['install', '--prefix', opts.prefix, '--no-save', '--no-audit', '--no-fund', opts.spec],
    { env: opts.env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const dir = join(opts.prefix, 'node_modules', '@pipedai', 'orchestrator');
  const pkg = PackageJson.parse(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')));
  return {
    kind: 'theirs',
    name: pkg.name,
    version: pkg.version,
    node: process.execPath,
    cli: join(dir, 'dist', 'cli.js'),
  };
}

/** A port free right now (the published daemon has no `--port 0` discovery file either way). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The environment both daemons (and so their workers) get: the caller's, without any PIPEDAI_* or
 * NODE_OPTIONS it carried, with HOME and PIPEDAI_HOME on the prepared home (the published daemon
 * ignores PIPEDAI_HOME) and the simulator and our Node first on PATH.
 */
export function daemonEnv(opts: {
  base: NodeJS.ProcessEnv;
  home: string;
  pathPrefix: string[];
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(opts.base)) {
    if (k.startsWith('PIPEDAI_') || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return {
    ...env,
    HOME: opts.home,
    PIPEDAI_HOME: stateRoot(opts.home),
    PATH: [...opts.pathPrefix, opts.base.PATH ?? '/usr/bin:/bin'].join(':'),
    ...opts.extra,
  };
}

export async function startDaemon(
  bin: DaemonBinary,
  opts: { home: string; env: NodeJS.ProcessEnv; token: string },
): Promise<RunningDaemon> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stderrFile = join(opts.home, 'daemon.stderr.log');
  // Both daemons echo worker lines to their stdout (the published one every line): /dev/null,
  // so neither pays for a reader here. stderr goes to a file for diagnosis.
  const errFd = openSync(stderrFile, 'a');
  const spawnedAt = performance.now();
  const child = spawnTracked(bin.node, [bin.cli, 'start', '--port', String(port)], {
    cwd: opts.home,
    env: opts.env,
    stdio: ['ignore', 'ignore', errFd],
  });
  closeSync(errFd);
  if (child.pid === undefined) throw new Error(`${bin.kind} daemon did not spawn`);
  const pid = child.pid;
  const auth = { authorization: `Bearer ${opts.token}` };

  const stderrTail = (): string => {
    try {
      return readFileSync(stderrFile, 'utf8').slice(-2000);
    } catch {
      return '';
    }
  };

  return {
    kind: bin.kind,
    pid,
    url,
    spawnedAt,
    child,
    get: (path) => fetch(`${url}${path}`, { headers: auth, signal: AbortSignal.timeout(30_000) }),
    wsUrl: () => `ws://127.0.0.1:${port}/api/events?token=${encodeURIComponent(opts.token)}`,
    stderrTail,
    async stop() {
      // The published daemon escalates to SIGKILL after 30 s per worker; give it that and more.
      const t0 = performance.now();
      const graceful = await stopChild(child, 'SIGTERM', 45_000);
      const ms = performance.now() - t0;
      await sleep(100);
      const strays = killStrays(opts.home);
      return { graceful, ms, strays };
    },
  };
}

/** Polls GET /api/workers until it answers 200; returns ms since the spawn. */
export async function waitApiReady(d: RunningDaemon, timeoutMs: number): Promise<number> {
  const deadline = d.spawnedAt + timeoutMs;
  for (;;) {
    if (hasExited(d.child))
      throw new Error(`${d.kind} daemon exited during start:\n${d.stderrTail()}`);
    const res = await d.get('/api/workers').catch(() => null);
    if (res) {
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - d.spawnedAt;
    }
    if (performance.now() > deadline)
      throw new Error(`${d.kind} control API not ready after ${timeoutMs} ms:\n${d.stderrTail()}`);
    await sleep(10);
  }
}
