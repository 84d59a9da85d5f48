// Runs a short-lived helper command (pipedai-worker version/register, npm): bounded time and
// bounded captured output, secrets kept out of every message: a hung or chatty helper costs it,
// not the daemon.
import { spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import treeKill from 'tree-kill';
import { scrub } from '../../../shared/index.ts';
import { childEnv } from '../child-env.ts';

export interface ToolResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ToolCommand {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  /** Values to scrub from captured output (tokens passed in argv). */
  secrets?: readonly string[];
  /** A real executable (Node, Electron as Node): spawned as is, never through cmd.exe. */
  direct?: boolean;
}

/** How a tool is started: injected so tests assert exactly what would run (npm -g, nssm…). */
export type ToolRunner = (cmd: ToolCommand) => Promise<ToolResult>;

const MAX_CAPTURE = 64 * 1024;

// cmd.exe metacharacters, as cross-spawn escapes them.
const CMD_META = /([()\][%!^"`<>&|;, *?])/g;

/**
 * Quote one argument for `cmd.exe /d /s /c "…"` running a `.cmd` shim (cross-spawn's algorithm):
 * backslash-escape quotes for the C runtime, wrap in quotes, then caret-escape every metacharacter
 * twice (cmd parses the line, then the batch shim parses it again). Paths with spaces and
 * request-supplied strings never reach cmd.exe unescaped.
 */
export function quoteForCmd(arg: string): string {
  let a = arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1');
  a = `"${a}"`;
  return a.replace(CMD_META, '^$1').replace(CMD_META, '^$1');
}

export interface SpawnPlan {
  file: string;
  args: string[];
  options: SpawnOptions;
}

/** Windows runs `.cmd` shims only through cmd.exe, with the whole line escaped by us. */
export function planSpawn(platform: NodeJS.Platform, cmd: ToolCommand): SpawnPlan {
  const base: SpawnOptions = {
    env: cmd.env ?? childEnv(process.env),
    cwd: cmd.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  };
  if (platform === 'win32' && cmd.direct !== true) {
    const line = [cmd.command.replace(CMD_META, '^$1'), ...cmd.args.map(quoteForCmd)].join(' ');
    return {
      file: 'cmd.exe',
      args: ['/d', '/s', '/c', `"${line}"`],
      options: { ...base, windowsVerbatimArguments: true },
    };
  }
  return { file: cmd.command, args: [...cmd.args], options: base };
}

function capped(): { push(b: Buffer): void; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(b) {
      if (size >= MAX_CAPTURE) {
        truncated = true;
        return;
      }
      const part = b.subarray(0, MAX_CAPTURE - size);
      chunks.push(part);
      size += part.length;
      if (part.length < b.length) truncated = true;
    },
    text: () => Buffer.concat(chunks).toString('utf8') + (truncated ? '\n…(output truncated)' : ''),
  };
}

export function createToolRunner(
  platform: NodeJS.Platform = process.platform,
  spawn = nodeSpawn,
): ToolRunner {
  return (cmd) =>
    new Promise((resolve) => {
      const plan = planSpawn(platform, cmd);
      const out = capped();
      const err = capped();
      let timedOut = false;
      let settled = false;
      const finish = (r: Omit<ToolResult, 'stdout' | 'stderr' | 'timedOut'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const secrets = cmd.secrets ?? [];
        resolve({
          ...r,
          timedOut,
          stdout: scrub(out.text(), secrets),
          stderr: scrub(err.text(), secrets),
        });
      };
      const child = spawn(plan.file, plan.args, plan.options);
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid) treeKill(child.pid, 'SIGKILL');
      }, cmd.timeoutMs);
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => {
        err.push(Buffer.from(e.message));
        finish({ code: null, signal: null });
      });
      child.on('close', (code, signal) => finish({ code, signal }));
    });
}

/** One line saying why a tool failed, secrets scrubbed, for error messages. */
export function describeFailure(what: string, r: ToolResult): string {
  if (r.timedOut) return `${what} timed out`;
  const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join(' ').slice(0, 500);
  return `${what} failed (exit ${r.code ?? r.signal ?? '?'})${detail ? `: ${detail}` : ''}`;
}
