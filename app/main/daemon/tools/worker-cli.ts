// The pipedai-worker CLI as the orchestrator drives it (contract §3.1): version probes and register.
import { scrub, tokenHint } from '../../../shared/index.ts';
import { describeFailure, type ToolRunner } from './run-tool.ts';

export const WORKER_PACKAGE = '@pipedai/worker';
const SEMVER_AT_START = /^(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/;

export interface WorkerCli {
  /** `pipedai-worker version` → the version, or null when the binary is missing or not usable. */
  version(): Promise<string | null>;
  /** `pipedai-worker --version` → last non-empty line, or `unknown` (sent in redeem). */
  reportedVersion(): Promise<string>;
  register(args: RegisterArgs): Promise<void>;
}

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
  bin: string,
  env: NodeJS.ProcessEnv = process.env,
): WorkerCli {
  return {
    async version() {
      const r = await run({ command: bin, args: ['version'], env, timeoutMs: 15_000 });
      if (r.code !== 0) return null;
      return SEMVER_AT_START.exec(r.stdout.trim())?.[1] ?? null;
    },
    async reportedVersion() {
      const r = await run({ command: bin, args: ['--version'], env, timeoutMs: 15_000 });
      if (r.code !== 0) return 'unknown';
      const lines = (r.stdout.trim() || r.stderr.trim())
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      return lines.at(-1)?.slice(0, 64) ?? 'unknown';
    },
    async register(a) {
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
      const r = await run({
        command: bin,
        args,
        env: { ...env, AUTH_MODE: a.authMode },
        timeoutMs: 120_000,
        secrets: [a.token],
      });
      if (r.code !== 0)
        throw new Error(scrub(describeFailure('worker registration', r), [a.token]));
    },
  };
}
