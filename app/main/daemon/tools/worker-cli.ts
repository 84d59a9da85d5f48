// The pipedai-worker CLI as the orchestrator drives it (contract §3.1): version probes and register.
import { scrub, tokenHint } from '../../../shared/index.ts';
import { binLaunch, type WorkerLaunchCommand } from '../supervisor/spawn.ts';
import { describeFailure, type ToolCommand, type ToolRunner } from './run-tool.ts';

export const WORKER_PACKAGE = '@pipedai/worker';
const SEMVER_AT_START = /^(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/;

export interface WorkerCli {
  /** `pipedai-worker version` → the version, or null when the binary is missing or not usable. */
  version(via?: WorkerLaunchCommand): Promise<string | null>;
  /** `pipedai-worker --version` → last non-empty line, or `unknown` (sent in redeem). */
  reportedVersion(via?: WorkerLaunchCommand): Promise<string>;
  /** `via`: the runtime the new worker will run (the managed version just ensured). */
  register(args: RegisterArgs, via?: WorkerLaunchCommand): Promise<void>;
}

/** A binary name or path, a launch, or a function asked each time (null: none installed). */
export type WorkerCliLaunch = string | WorkerLaunchCommand | (() => WorkerLaunchCommand | null);

export interface RegisterArgs {
  token: string;
  apiUrl: string;
  configPath: string;
  hostname: string;
  pool: boolean;
  authMode: string;
}

export function createWorkerCli(
  run: ToolRunner,
  launch: WorkerCliLaunch,
  env: NodeJS.ProcessEnv = process.env,
): WorkerCli {
  const current = (): WorkerLaunchCommand | null =>
    typeof launch === 'string'
      ? binLaunch(launch)
      : typeof launch === 'function'
        ? launch()
        : launch;
  const command = (
    via: WorkerLaunchCommand | undefined,
    args: string[],
    extra: Partial<ToolCommand> & { timeoutMs: number },
  ): ToolCommand | null => {
    const l = via ?? current();
    if (!l) return null;
    return {
      command: l.command,
      args: [...l.args, ...args],
      direct: l.direct,
      ...extra,
      env: { ...env, ...extra.env, ...l.env },
    };
  };
  return {
    async version(via) {
      const cmd = command(via, ['version'], { timeoutMs: 15_000 });
      if (!cmd) return null;
      const r = await run(cmd);
      if (r.code !== 0) return null;
      return SEMVER_AT_START.exec(r.stdout.trim())?.[1] ?? null;
    },
    async reportedVersion(via) {
      const cmd = command(via, ['--version'], { timeoutMs: 15_000 });
      if (!cmd) return 'unknown';
      const r = await run(cmd);
      if (r.code !== 0) return 'unknown';
      const lines = (r.stdout.trim() || r.stderr.trim())
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      return lines.at(-1)?.slice(0, 64) ?? 'unknown';
    },
    async register(a, via) {
      // The orchestrator pre-checks the token shape (§3.1): pool_ iff --pool, else wrk_.
      const want = a.pool ? 'pool_' : 'wrk_';
      if (!a.token.startsWith(want)) {
        throw new Error(
          `a ${a.pool ? 'pool' : 'workspace'} build needs a ${want}… token, got ${tokenHint(a.token)}`,
        );
      }
      const args = [
        'register',
        '--token',
        a.token,
        '--api-url',
        a.apiUrl,
        '--config',
        a.configPath,
        '--hostname',
        a.hostname,
      ];
      if (a.pool) args.push('--pool');
      const cmd = command(via, args, {
        env: { AUTH_MODE: a.authMode },
        timeoutMs: 120_000,
        secrets: [a.token],
      });
      if (!cmd)
        throw new Error('worker registration failed: no pipedai-worker runtime is installed');
      const r = await run(cmd);
      if (r.code !== 0)
        throw new Error(scrub(describeFailure('worker registration', r), [a.token]));
    },
  };
}
