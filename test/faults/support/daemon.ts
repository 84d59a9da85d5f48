// The daemon under test, either as a child process (`pipedai-orchestrator start --port 0`, for
// faults about the process itself) or in this process (startHeadless), plus CLI runs. Every
// output is kept so the token scan can read it.
import { spawn, type ChildProcess } from 'node:child_process';
import { startHeadless, type RunningDaemon } from '../../../app/main/hosts/headless.ts';
import { CLI_ENTRY } from './fixture.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DaemonChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** SIGTERM (the drain), then wait for the exit. */
  stop(): Promise<Exit>;
}

/** Everything the daemons and CLI runs of a test printed (the token scan reads it). */
export const outputs: string[] = [];

function capture(child: ChildProcess): {
  out: () => string;
  err: () => string;
  exited: Promise<Exit>;
} {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => {
      outputs.push(out, err);
      resolve({ code, signal });
    }),
  );
  return { out: () => out, err: () => err, exited };
}

/** Run the CLI to completion (bounded). */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const c = capture(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await c.exited;
  clearTimeout(timer);
  return { ...exit, stdout: c.out(), stderr: c.err() };
}

const LISTENING = /daemon listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** `start --port 0` as a child; resolves once it prints where it listens, rejects if it exits first. */
export async function spawnDaemon(
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<DaemonChild> {
  const child = spawn(process.execPath, [CLI_ENTRY, 'start', '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const c = capture(child);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`daemon did not listen within ${timeoutMs} ms; stderr: ${c.err()}`));
    }, timeoutMs);
    const check = (): void => {
      const m = LISTENING.exec(c.out());
      if (!m?.[1]) return;
      clearTimeout(timer);
      resolve(m[1]);
    };
    child.stdout?.on('data', check);
    void c.exited.then((exit) => {
      clearTimeout(timer);
      reject(
        new Error(`daemon exited (${JSON.stringify(exit)}) before listening; stderr: ${c.err()}`),
      );
    });
  });
  return {
    child,
    pid: child.pid as number,
    url,
    stdout: c.out,
    stderr: c.err,
    exited: c.exited,
    async stop() {
      child.kill('SIGTERM');
      return c.exited;
    },
  };
}

export interface InProcessDaemon {
  readonly running: RunningDaemon;
  readonly url: string;
  /** The daemon's own log lines. */
  readonly log: string[];
  stop(): Promise<void>;
}

/** The headless host in this process: no signal handlers, its log kept in memory. */
export async function startInProcess(env: NodeJS.ProcessEnv): Promise<InProcessDaemon> {
  const log: string[] = [];
  const running = await startHeadless({
    host: '127.0.0.1',
    port: 0,
    staticDir: null,
    env,
    signals: [],
    exitForRestart: () => undefined,
    log: (line) => log.push(line),
  });
  return {
    running,
    url: running.server.url,
    log,
    async stop() {
      await running.stop();
      outputs.push(log.join('\n'));
    },
  };
}
