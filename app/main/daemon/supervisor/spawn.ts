// How a worker child is started and killed on each platform (contract §3.1, §3.2, §5.3, §5.6).
// Pure command building and a killer over injectable primitives (tree-kill, process.kill,
// taskkill), so every platform's branch is asserted here without running it.
import { execFile, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import treeKill from 'tree-kill';
import { z } from 'zod';
import { quoteForCmd } from '../tools/run-tool.ts';

export const WORKER_ID_TAG = 'PIPEDAI_ORCHESTRATOR_WORKER_ID';
export const INSTANCE_TAG = 'PIPEDAI_ORCHESTRATOR_INSTANCE';
/** The child registry (so the home) the worker belongs to: finds it when its record is missing. */
export const REGISTRY_TAG = 'PIPEDAI_ORCHESTRATOR_REGISTRY';
/** Bound on one kill command (tree-kill's process listing, taskkill). */
const KILL_TIMEOUT_MS = 10_000;

const WorkerBinEnv = z.object({ PIPEDAI_WORKER_BIN: z.string().trim().optional() });

/** The worker binary: `$PIPEDAI_WORKER_BIN`, else `pipedai-worker` resolved through PATH (§3). */
export function resolveWorkerBin(env: NodeJS.ProcessEnv): string {
  const parsed = WorkerBinEnv.safeParse(env);
  const bin = parsed.success ? parsed.data.PIPEDAI_WORKER_BIN : undefined;
  return bin ? bin : 'pipedai-worker';
}

/**
 * The daemon's environment plus the run flag and the tags that let a restarted daemon prove a
 * process it finds is one of ours (the GitHub runner marks its job processes the same way).
 */
export function workerEnv(
  base: NodeJS.ProcessEnv,
  workerId: string,
  instanceId: string,
  registry?: string,
): NodeJS.ProcessEnv {
  return {
    ...base,
    PIPEDAI_LOCAL_RUN_EVENTS: '1',
    [WORKER_ID_TAG]: workerId,
    [INSTANCE_TAG]: instanceId,
    ...(registry === undefined ? {} : { [REGISTRY_TAG]: registry }),
  };
}

// cmd.exe metacharacters: the set tools/run-tool.ts's quoteForCmd escapes (cross-spawn's).
const CMD_META = /([()\][%!^"`<>&|;, *?])/g;

/** The program itself: cmd finds it by its unquoted name, so only the metacharacters are escaped once. */
export function escapeCmdCommand(command: string): string {
  return command.replace(CMD_META, '^$1');
}

export interface RunCommand {
  readonly command: string;
  readonly args: string[];
  readonly options: SpawnOptions;
}

/** What starts `pipedai-worker`: a binary (PATH, override) or our Node with the managed script. */
export interface WorkerLaunchCommand {
  command: string;
  /** Before the worker's own argv (the managed runtime: its script). */
  args: readonly string[];
  /** Added to the worker's environment (ELECTRON_RUN_AS_NODE=1 inside Electron). */
  env: Readonly<Record<string, string>>;
  /** A real executable: spawned as is on Windows too, never through cmd.exe. */
  direct: boolean;
}

/** `$PIPEDAI_WORKER_BIN` or `pipedai-worker` on PATH, as a launch (no managed runtime). */
export const binLaunch = (bin: string): WorkerLaunchCommand => ({
  command: bin,
  args: [],
  env: {},
  direct: false,
});

export interface RunCommandInput {
  platform: NodeJS.Platform;
  launch: WorkerLaunchCommand;
  configPath: string;
  env: NodeJS.ProcessEnv;
  /** [stdin, stdout, stderr]: 'ignore' and the two output file descriptors. */
  output: ['ignore', number | 'ignore', number | 'ignore'];
}

/**
 * `pipedai-worker run --config <path>`, exactly as it is handed to `child_process.spawn`; its
 * stdout/stderr are the worker's output files (capture/worker-capture.ts), never pipes.
 */
export function runCommand({
  platform,
  launch,
  configPath,
  env: base,
  output,
}: RunCommandInput): RunCommand {
  const argv = [...launch.args, 'run', '--config', configPath];
  const env = { ...base, ...launch.env };
  const stdio: SpawnOptions['stdio'] = output;
  const workerBin = launch.command;
  if (launch.direct) {
    // Our own Node: no shell on any platform, so no quoting problem either.
    return {
      command: workerBin,
      args: argv,
      options:
        platform === 'win32'
          ? { env, stdio, windowsHide: true, detached: false }
          : { env, stdio, detached: true },
    };
  }
  if (platform === 'win32') {
    // The binary is a .cmd shim, so it must go through cmd.exe; we hand Node one pre-quoted line
    // (Node would only join the args with spaces, which breaks "C:\Users\First Last").
    const line = [escapeCmdCommand(workerBin), ...argv.map(quoteForCmd)];
    return {
      command: line.join(' '),
      args: [],
      options: { env, stdio, shell: true, windowsHide: true, detached: false },
    };
  }
  // Own process group: a terminal Ctrl-C to the daemon does not reach the workers, and the whole
  // group can be killed at once.
  return { command: workerBin, args: argv, options: { env, stdio, detached: true } };
}

export interface KillPrimitives {
  /** `tree-kill`: signal a pid and every descendant it can find by parent pid. */
  treeKill(pid: number, signal: NodeJS.Signals): Promise<void>;
  /** `process.kill`; a negative pid addresses a process group. */
  signal(pid: number, signal: NodeJS.Signals): void;
  /** Run a program to completion (Windows: `taskkill`). */
  runFile(file: string, args: string[]): Promise<void>;
}

export interface Killer {
  /** Polite stop request: SIGTERM to the worker alone, which drains its run (POSIX only). */
  terminate(pid: number): void;
  /** Kill the whole tree now. */
  killTree(pid: number): Promise<void>;
  /** SIGKILL what is left of a POSIX process group (members reparented away from the tree). */
  killGroup(pid: number): void;
}

const ignore = (): void => undefined;

export function createKiller(platform: NodeJS.Platform, prim: KillPrimitives): Killer {
  const quietly = (pid: number, sig: NodeJS.Signals): void => {
    try {
      prim.signal(pid, sig);
    } catch {
      // ESRCH: already gone; EPERM: not ours to signal. Either way nothing more to do.
    }
  };
  if (platform === 'win32') {
    return {
      terminate: ignore, // no signal path on Windows (§3.4): callers kill the tree at once
      killTree: (pid) => prim.runFile('taskkill', ['/pid', String(pid), '/T', '/F']).catch(ignore),
      killGroup: ignore,
    };
  }
  return {
    terminate: (pid) => quietly(pid, 'SIGTERM'),
    async killTree(pid) {
      await prim.treeKill(pid, 'SIGKILL').catch(ignore);
      // Grandchildren whose parent already died were reparented out of the tree tree-kill walks;
      // they are still in the worker's process group.
      quietly(-pid, 'SIGKILL');
    },
    killGroup: (pid) => quietly(-pid, 'SIGKILL'),
  };
}

/** tree-kill spawns `ps` (Linux) or `pgrep` (macOS) without an error handler: a host without it would crash. */
function hasProgram(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, name)));
}

/** The real primitives: tree-kill, process.kill and execFile, each bounded in time. */
export function systemKillPrimitives(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): KillPrimitives {
  const lister = platform === 'darwin' ? 'pgrep' : 'ps';
  let canWalk: boolean | undefined;
  return {
    treeKill: (pid, signal) =>
      new Promise((resolve, reject) => {
        canWalk ??= platform === 'win32' || hasProgram(lister, env);
        if (!canWalk) return reject(new Error(`tree-kill needs ${lister} on PATH`));
        const timer = setTimeout(resolve, KILL_TIMEOUT_MS);
        treeKill(pid, signal, (err) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        });
      }),
    signal: (pid, sig) => {
      process.kill(pid, sig);
    },
    runFile: (file, args) =>
      new Promise((resolve, reject) => {
        execFile(file, args, { windowsHide: true, timeout: KILL_TIMEOUT_MS }, (err) =>
          err ? reject(err) : resolve(),
        );
      }),
  };
}
