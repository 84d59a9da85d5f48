// Runs the login-shell probe (logic/login-env.ts) once at start: bounded in time and output,
// detached with its own process group (rc files that start helpers are killed with it), stdin
// closed. On a timeout, garbage, a crash or a non-zero exit the app keeps its inherited
// environment and says why (the dashboard shows it). No electron import: tested under Node.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { WorkerEnvironment } from '../../shared/index.ts';
import {
  DEFAULT_TIMEOUT_MS,
  MAX_OUTPUT_BYTES,
  loginEnvSkip,
  loginShell,
  loginShellArgs,
  mergeLoginEnv,
  parseProbeOutput,
  probeCommand,
} from './logic/login-env.ts';

export interface LoginEnvOptions {
  platform: NodeJS.Platform;
  /** The app's own environment. */
  env: NodeJS.ProcessEnv;
  /** Node to print the environment with (Electron's binary, run as Node). */
  execPath: string;
  /** ELECTRON_RUN_AS_NODE=1 inside Electron. */
  nodeEnv: Record<string, string>;
  timeoutMs?: number;
}

export interface LoginEnv {
  env: NodeJS.ProcessEnv;
  environment: WorkerEnvironment;
}

const SKIPPED: Record<string, string> = {
  windows: 'Windows apps get the user environment from the system',
  disabled: 'turned off (PIPEDAI_LOGIN_SHELL_ENV=0)',
  'no-shell': 'no login shell is set (SHELL)',
};

export async function resolveLoginEnv(o: LoginEnvOptions): Promise<LoginEnv> {
  const skip = loginEnvSkip(o.platform, o.env);
  if (skip)
    return { env: o.env, environment: { source: 'inherited', note: SKIPPED[skip] ?? skip } };
  const shell = loginShell(o.env);
  const mark = randomBytes(6).toString('hex');
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fallback = (why: string): LoginEnv => ({
    env: o.env,
    environment: {
      source: 'inherited',
      note: `the login shell's environment (${shell}) is not used: ${why}; workers get the app's own environment`,
    },
  });
  const outcome = await new Promise<{ code: number | null; out: string; why: string | null }>(
    (resolve) => {
      let out = '';
      let size = 0;
      let why: string | null = null;
      const child = spawn(shell, loginShellArgs(shell, probeCommand(o.execPath, mark)), {
        env: { ...o.env, ...o.nodeEnv, DISABLE_AUTO_UPDATE: 'true', ZSH_TMUX_AUTOSTARTED: 'true' },
        stdio: ['ignore', 'pipe', 'ignore'],
        detached: true,
      });
      const killGroup = (): void => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const timer = setTimeout(() => {
        why = `it did not answer within ${Math.round(timeoutMs / 100) / 10} s`;
        killGroup();
      }, timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        size += Buffer.byteLength(d);
        if (size > MAX_OUTPUT_BYTES) {
          why ??= `it printed more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB`;
          killGroup();
          return;
        }
        out += d;
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        resolve({ code: null, out, why: `it could not be started (${e.message})` });
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out, why });
      });
    },
  );
  if (outcome.why) return fallback(outcome.why);
  if (outcome.code !== 0) return fallback(`it exited with code ${outcome.code ?? 'null'}`);
  const parsed = parseProbeOutput(outcome.out, mark);
  if (!parsed.ok) return fallback(parsed.reason);
  return {
    env: mergeLoginEnv(o.env, parsed.env),
    environment: { source: 'login-shell', note: null },
  };
}
