// Build a worker (contract §8.2): register it with pipedai-api through the worker CLI, then
// supervise it. The worker runtime is the orchestrator's own (installed under PIPEDAI_HOME when
// missing, never `npm i -g` and never force-reinstalled), concurrent builds of one config path are
// refused instead of racing, and the registration token is never logged or stored.
import { access } from 'node:fs/promises';
import {
  CommandError,
  errorMessage,
  normalizeApiUrl,
  slugify,
  type CommandArgs,
} from '../../../shared/index.ts';
import type { WorkerLaunch } from '../runtime/index.ts';
import { operatorTokenOrThrow, type Ctx } from './context.ts';
import { apiFailure } from './verbs.ts';

const buildsInFlight = new WeakMap<Ctx, Set<string>>();

/**
 * The runtime a new worker registers with and then runs: the managed one (installed if this host
 * has none yet), or PIPEDAI_WORKER_BIN when set. Its version (null for the override).
 */
export async function ensureRuntimeForNewWorker(
  ctx: Ctx,
): Promise<{ version: string | null; launch: WorkerLaunch }> {
  const version = await ctx.runtime.ensure([]);
  const launch = ctx.runtime.launchFor(version);
  if (launch.source === 'none') throw new CommandError('precondition', launch.problem);
  return { version, launch };
}

export async function buildWorker(
  ctx: Ctx,
  input: CommandArgs<'buildWorker'>,
): Promise<{ id: string }> {
  const apiUrl = normalizeApiUrl(input.apiUrl);
  const pool = input.pool === true;
  if (pool && !input.token)
    throw new CommandError(
      'bad-request',
      'a pool worker needs a pool_… registration token from a platform admin',
      'token',
    );
  const entries = await ctx.manifest.list();

  let workspaceId: string | null = null;
  if (!pool) {
    workspaceId =
      input.workspaceId ??
      entries.find(
        (e) => normalizeApiUrl(e.apiUrl) === apiUrl && e.mode === 'workspace' && e.workspaceId,
      )?.workspaceId ??
      null;
  }
  if (!input.token && !workspaceId) {
    throw new CommandError(
      'precondition',
      `no workspace known for ${apiUrl}: run \`pipedai-orchestrator connect --api-url ${apiUrl}\` first, or pass a registration token`,
    );
  }

  const slug = slugify(input.label ?? new URL(apiUrl).host);
  const configPath = ctx.paths.workerConfig(slug);
  if (entries.some((e) => e.configPath === configPath)) {
    throw new CommandError(
      'conflict',
      `a worker already uses ${configPath}; give this one another label`,
      'label',
    );
  }
  if (
    await access(configPath).then(
      () => true,
      () => false,
    )
  ) {
    throw new CommandError(
      'conflict',
      `${configPath} already exists; give this worker another label`,
      'label',
    );
  }
  let inFlight = buildsInFlight.get(ctx);
  if (!inFlight) buildsInFlight.set(ctx, (inFlight = new Set()));
  if (inFlight.has(configPath))
    throw new CommandError('conflict', `a build of ${slug} is already in flight`, 'label');
  inFlight.add(configPath);
  try {
    const runtime = await ensureRuntimeForNewWorker(ctx);
    let token = input.token;
    if (!token) {
      const operator = await operatorTokenOrThrow(ctx, apiUrl);
      try {
        token = (
          await ctx.api.mintRegistrationToken(
            apiUrl,
            operator,
            workspaceId ?? '',
            input.label ? { label: input.label } : {},
          )
        ).token;
      } catch (e) {
        throw apiFailure(e, 'minting a registration token');
      }
    }
    try {
      await ctx.workerCli.register(
        {
          token,
          apiUrl,
          configPath,
          hostname: input.hostname ?? `${ctx.hostname}-${slug}`,
          pool,
          authMode: input.authMode ?? 'claude-max',
        },
        runtime.launch,
      );
    } catch (e) {
      throw new CommandError('upstream', errorMessage(e));
    }
    const cfg = await ctx.workerConfigs.read(configPath);
    // Pinned before the manifest names it, so its first spawn already runs this version.
    if (runtime.version !== null) await ctx.runtime.pin(cfg.workerId, runtime.version);
    await ctx.manifest.add({
      id: cfg.workerId,
      label: input.label ?? input.hostname ?? ctx.hostname,
      apiUrl: normalizeApiUrl(cfg.apiUrl),
      workspaceId: pool ? null : (cfg.workspaceId ?? workspaceId),
      configPath,
      mode: pool ? 'pool' : 'workspace',
      desiredState: 'enabled',
    });
    await ctx.refreshRemote();
    await ctx.afterChange();
    return { id: cfg.workerId };
  } finally {
    inFlight.delete(configPath);
  }
}
