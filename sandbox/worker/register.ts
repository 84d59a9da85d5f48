// `pipedai-worker register`: trade a registration token (wrk_/pool_) for a worker identity and
// write the worker config. Every message is scrubbed: the token shows as its first 5 characters.
import { normalizeApiUrl, scrub, scrubTokens, tokenHint } from '../../app/shared/util.ts';
import type { WorkerApi } from './api-client.ts';
import type { Command } from './args.ts';
import { writeWorkerConfig } from './config.ts';
import type { Knobs } from './knobs.ts';
import type { Output } from './output.ts';
import { errorMessage } from '../../app/shared/index.ts';

type RegisterCommand = Extract<Command, { kind: 'register' }>;

/** The real CLI's shape check: `pool_` iff `--pool`, else `wrk_`. Null when it fits. */
export function tokenShapeError(token: string, pool: boolean): string | null {
  const want = pool ? 'pool_' : 'wrk_';
  if (token.startsWith(want)) return null;
  return `token ${tokenHint(token)} is not a ${pool ? 'pool' : 'workspace'} registration token (expected ${want}…${pool ? '' : '; pool tokens need --pool'})`;
}

export async function register(
  command: RegisterCommand,
  deps: { knobs: Knobs; authMode: string; api: (apiUrl: string) => WorkerApi; output: Output },
): Promise<number> {
  const fail = (message: string) => {
    deps.output.err(
      `pipedai-worker: register failed: ${scrubTokens(scrub(message, [command.token]))}`,
    );
    return 1;
  };
  const shape = tokenShapeError(command.token, command.pool);
  if (shape) return fail(shape);
  if (deps.knobs.registerFail) return fail('simulated failure (PIPEDAI_SIM_REGISTER_FAIL=1)');

  const apiUrl = normalizeApiUrl(command.apiUrl);
  let identity;
  try {
    identity = await deps.api(apiUrl).register({
      token: command.token,
      hostname: command.hostname,
      pool: command.pool,
      authMode: deps.authMode,
      version: deps.knobs.version,
    });
  } catch (error) {
    return fail(errorMessage(error));
  }
  try {
    // The URL we were told to use, not the one the API names: a test may sit a proxy in between.
    await writeWorkerConfig(command.configPath, {
      workerId: identity.workerId,
      workerToken: identity.workerToken,
      apiUrl,
      workspaceId: identity.isPool ? null : identity.workspaceId,
      isPool: identity.isPool,
    });
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    return fail(`cannot write config ${command.configPath}: ${code}`);
  }
  deps.output.out(
    `registered worker ${identity.workerId}${identity.isPool ? ' (pool)' : ` in workspace ${identity.workspaceId ?? '?'}`}`,
  );
  deps.output.out(`config written to ${command.configPath}`);
  return 0;
}
