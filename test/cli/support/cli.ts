// Shared by the CLI and demo suites: the built bundles (rebuilt when older than the sources),
// child processes that are always reaped, polling, and a /proc scan for leftover processes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = join(ROOT, 'dist/cli.js');
export const SANDBOX = join(ROOT, 'dist/sandbox.js');
export const SIMULATOR = join(ROOT, 'sandbox/bin/pipedai-worker');

/** Any ANSI escape (colour, cursor): none may appear when output is not a colour terminal. */
// eslint-disable-next-line no-control-regex -- ESC is the point
export const ANSI = /\u001b\[/;

const SOURCE_DIRS = ['cli', 'app/main', 'app/shared', 'sandbox'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function bundlesFresh(): boolean {
  try {
    const built = Math.min(statSync(CLI).mtimeMs, statSync(SANDBOX).mtimeMs);
    return SOURCE_DIRS.every((d) => newestSource(join(ROOT, d)) <= built);
  } catch {
    return false;
  }
}

/**
 * The suites run the built `dist/cli.js`; a bundle older than the sources would test stale code,
 * so it is rebuilt (Node bundles only). A lock folder keeps parallel suites from building at once.
 */
export async function ensureBundles(): Promise<void> {
  const lock = join(ROOT, 'dist/.test-build-lock');
  const deadline = Date.now() + 120_000;
  while (!bundlesFresh()) {
    try {
      mkdirSync(dirname(lock), { recursive: true });
      mkdirSync(lock);
    } catch {
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock} (remove it?)`);
      await sleep(250);
      continue;
    }
    try {
      if (!bundlesFresh()) {
        const r = spawnSync(process.execPath, ['scripts/build.mjs', '--node-only'], {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 120_000,
        });
        if (r.status !== 0) throw new Error(`node-only build failed:\n${r.stderr}`);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns a value other than undefined/false; fail with the last state. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 150,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
      );
    await sleep(everyMs);
  }
}

/** A child whose output is collected; `exited` resolves with its code (or signal). */
export interface Child {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();

export function startChild(
  cmd: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; detached?: boolean },
): Child {
  const proc = spawn(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a terminal gives a command: a Ctrl-C signals the whole group.
    detached: opts.detached ?? false,
  });
  live.add(proc);
  let out = '';
  let err = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('close', (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    }),
  );
  return { proc, stdout: () => out, stderr: () => err, exited };
}

/** Run to completion (bounded): exit code and output. */
export async function run(
  cmd: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = startChild(cmd, args, opts);
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const { code } = await c.exited;
  clearTimeout(timer);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** SIGKILL every child still running (afterEach/afterAll); waits until each is gone. */
export async function killChildren(only?: (p: ChildProcess) => boolean): Promise<void> {
  const victims = [...live].filter((p) => !only || only(p));
  await Promise.all(
    victims.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          p.once('close', () => resolve());
          p.kill('SIGKILL');
        }),
    ),
  );
}

/** Wait for a line like `… listening on http://127.0.0.1:<port>` on the child's stdout. */
export function listeningPort(c: Child, timeoutMs = 30_000): Promise<number> {
  return waitFor(
    'a "listening on http://127.0.0.1:<port>" line',
    () => {
      if (c.proc.exitCode !== null)
        throw new Error(`exited ${c.proc.exitCode} before listening: ${c.stderr()}`);
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(c.stdout());
      return m ? Number(m[1]) : undefined;
    },
    timeoutMs,
  );
}

/** Pids of live processes (zombies excluded) whose command line and environment pass `match`. */
export function processesWhere(match: (cmdline: string, environ: string) => boolean): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      // One variable per line, the first one too: `\nNAME=value\n` matches a whole variable.
      const environ = `\n${readFileSync(`/proc/${name}/environ`, 'utf8').replace(/\0/g, '\n')}`;
      if (match(cmdline, environ)) found.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** The environment for product children: ours without PIPEDAI_* / colour knobs, plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('PIPEDAI_') || k === 'NO_COLOR' || k === 'FORCE_COLOR') continue;
    env[k] = v;
  }
  // The simulator's shebang runs `node`: make it this Node (22, with type stripping).
  env.PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
  return { ...env, ...extra };
}

/** POST a sandbox control (they need `content-type: application/json`). */
export async function sandboxPost<T>(apiUrl: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A plain HTTP listener (not our daemon) that records the headers of every request it gets. */
export interface Listener {
  port: number;
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** Listen on `port` (0: any free one); null when the port is taken. */
export async function plainListener(port: number): Promise<Listener | null> {
  const seen: IncomingHttpHeaders[] = [];
  const srv = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"items":[],"proof":"0"}');
  });
  const ok = await new Promise<boolean>((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (!ok) return null;
  return {
    port: (srv.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}
