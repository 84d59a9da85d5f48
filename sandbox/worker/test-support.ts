// Helpers for the simulator's integration tests: the bin as a real child process with captured
// output, temp dirs, polling waits, and cleanup of everything started.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const BIN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../bin');
export const BIN = join(BIN_DIR, 'pipedai-worker');

/** PATH with this Node first, so the bin's `env node` finds Node 22 whatever the machine has. */
export function pathWithNode(...extra: string[]): string {
  return [dirname(process.execPath), ...extra, process.env.PATH ?? ''].join(delimiter);
}

export interface SimProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** How the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SimOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Spawn by name through PATH instead of by absolute path. */
  viaPath?: boolean;
}

export function createTracker() {
  const children = new Set<ChildProcess>();
  const pids = new Set<number>();
  const dirs: string[] = [];
  return {
    tempDir(prefix: string): string {
      const dir = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    /** Extra processes (grandchildren) to kill at cleanup. */
    trackPid(pid: number) {
      pids.add(pid);
    },
    spawnSim(args: string[], options: SimOptions = {}): SimProcess {
      const child = spawn(options.viaPath ? 'pipedai-worker' : BIN, args, {
        cwd: options.cwd ?? tmpdir(),
        env: {
          ...process.env,
          PATH: pathWithNode(...(options.viaPath ? [BIN_DIR] : [])),
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let out = '';
      let err = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
      // 'exit' can come before the last output is read from the pipes; 'close' waits for them
      // (bounded: a grandchild that inherited them may keep them open).
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
        child.once('exit', (code, signal) => {
          const done = () => res({ code, signal });
          const late = setTimeout(done, 2_000);
          child.once('close', () => {
            clearTimeout(late);
            done();
          });
        }),
      );
      return { child, stdout: () => out, stderr: () => err, exited };
    },
    cleanup() {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      children.clear();
      pids.clear();
      // A process just SIGKILLed may still be writing a file there: retried (ENOTEMPTY).
      for (const dir of dirs.splice(0))
        rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    },
  };
}

/** Poll `check` until it returns a value other than undefined/false; fail with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET/POST a JSON route of the emulator's /sandbox controls. */
export async function sandboxCall(
  baseUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return z.record(z.string(), z.unknown()).parse(json);
}
