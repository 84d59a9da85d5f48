// The environment the user's login shell would give, for a desktop app started from Finder, the
// Start menu or a launcher (which inherit launchd's or the session's bare environment: no PATH
// additions, no ANTHROPIC_API_KEY, no proxies). VS Code's way: run `$SHELL -ilc` with our own
// Node printing its environment as JSON between random marks. Pure parts here; the spawn is
// in ../login-env.ts.
import { z } from 'zod';

/** Cap on what the shell may print: rc files that dump a lot must not cost the app memory. */
export const MAX_OUTPUT_BYTES = 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 5_000;

/** Variables of the probe itself, and the shell's per-process noise: never taken over. */
const DROP = new Set([
  'ELECTRON_RUN_AS_NODE',
  'ELECTRON_NO_ATTACH_CONSOLE',
  '_',
  'SHLVL',
  'PWD',
  'OLDPWD',
]);

export type LoginEnvSkip = 'windows' | 'disabled' | 'no-shell';

/** Why not to probe at all (Windows GUI apps get the user's environment from the registry). */
export function loginEnvSkip(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): LoginEnvSkip | null {
  if (platform === 'win32') return 'windows';
  if (env.PIPEDAI_LOGIN_SHELL_ENV === '0') return 'disabled';
  if (!env.SHELL && platform !== 'darwin') return 'no-shell';
  return null;
}

/** The shell to ask: $SHELL, else macOS's default zsh. */
export function loginShell(env: Readonly<Record<string, string | undefined>>): string {
  return env.SHELL || '/bin/zsh';
}

/** argv for the shell: `-ilc` (tcsh takes `-ic`, it has no -l with -c). */
export function loginShellArgs(shell: string, command: string): string[] {
  const name = shell.split('/').pop() ?? '';
  if (name === 'tcsh' || name === 'csh') return ['-ic', command];
  if (name === 'pwsh') return ['-Login', '-Command', command];
  return ['-ilc', command];
}

const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command the shell runs: our Node prints its environment as JSON between two marks. */
export function probeCommand(execPath: string, mark: string): string {
  const script = `process.stdout.write(${JSON.stringify(mark)} + JSON.stringify(process.env) + ${JSON.stringify(mark)})`;
  return `${shQuote(execPath)} -e ${shQuote(script)}`;
}

const EnvRecord = z.record(z.string(), z.string());

export type ParsedEnv = { ok: true; env: Record<string, string> } | { ok: false; reason: string };

/** The JSON between the marks (rc files may print around it), validated. */
export function parseProbeOutput(output: string, mark: string): ParsedEnv {
  const start = output.indexOf(mark);
  // Stryker disable next-line UnaryOperator: with no first mark, the test below returns before reading end
  const end = start < 0 ? -1 : output.indexOf(mark, start + mark.length);
  if (start < 0 || end < 0) return { ok: false, reason: 'its output had no environment in it' };
  let json: unknown;
  try {
    json = JSON.parse(output.slice(start + mark.length, end));
  } catch {
    return { ok: false, reason: 'its output was not a readable environment' };
  }
  const parsed = EnvRecord.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'its output was not a readable environment' };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.data)) if (!DROP.has(k)) env[k] = v;
  return { ok: true, env };
}

/**
 * The workers' environment: what the app inherited, with the login shell's on top (its PATH,
 * keys, proxies), except the orchestrator's own PIPEDAI_* settings, which the app's launch wins.
 */
export function mergeLoginEnv(
  inherited: Readonly<Record<string, string | undefined>>,
  shell: Readonly<Record<string, string>>,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...inherited };
  for (const [k, v] of Object.entries(shell)) {
    if (k.startsWith('PIPEDAI_') && inherited[k] !== undefined) continue;
    out[k] = v;
  }
  return out;
}
