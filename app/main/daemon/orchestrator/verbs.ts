// Lifecycle verbs (contract §8.1): a start during a drain is
// kept (the supervisor queues it), pool workers are disabled/enabled through their own token
// (the admin endpoints fail on customer hosts), and delete never removes an adopted legacy file.
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  errorMessage,
  CommandError,
  scrubTokens,
  type ManifestEntry,
  type WorkerVerb,
} from '../../../shared/index.ts';
import { isApiError } from '../deps.ts';
import {
  entryOrThrow,
  operatorTokenOrThrow,
  poolWorkerToken,
  workspaceTarget,
  type Ctx,
} from './context.ts';

/** The action names of verb results. */
type Verb = Exclude<WorkerVerb, 'force-stop'>;
export interface VerbResult<A extends Verb> {
  id: string;
  action: A;
  ok: true;
}

const done = <A extends Verb>(id: string, action: A): VerbResult<A> => ({ id, action, ok: true });

/** API failures as the doors should report them; never a token in the text. */
export function apiFailure(e: unknown, what: string): CommandError {
  if (e instanceof CommandError) return e;
  if (isApiError(e)) {
    const msg = scrubTokens(`${what}: ${e.message}`);
    return new CommandError(e.kind === 'network' ? 'unavailable' : 'upstream', msg);
  }
  return new CommandError('internal', scrubTokens(`${what}: ${errorMessage(e)}`));
}

export async function startWorker(ctx: Ctx, id: string): Promise<VerbResult<'start'>> {
  await entryOrThrow(ctx, id);
  await ctx.manifest.update(id, { desiredState: 'enabled' });
  await ctx.afterChange();
  return done(id, 'start');
}

export async function stopWorker(ctx: Ctx, id: string, force = false): Promise<VerbResult<'stop'>> {
  await entryOrThrow(ctx, id);
  await ctx.manifest.update(id, { desiredState: 'disabled' });
  await ctx.supervisor.stop(id, { force });
  await ctx.afterChange();
  return done(id, 'stop');
}

export async function restartWorker(ctx: Ctx, id: string): Promise<VerbResult<'restart'>> {
  const entry = await entryOrThrow(ctx, id);
  if (entry.desiredState !== 'enabled') await ctx.manifest.update(id, { desiredState: 'enabled' });
  await ctx.supervisor.restart(id);
  await ctx.afterChange();
  return done(id, 'restart');
}

/** Server-side disable or enable, through the token that can actually do it. */
export async function setRemoteEnabled(
  ctx: Ctx,
  entry: ManifestEntry,
  enabled: boolean,
): Promise<void> {
  const what = `${enabled ? 'enable' : 'disable'} ${entry.label} on ${entry.apiUrl}`;
  try {
    if (entry.mode === 'pool') {
      const wkt = await poolWorkerToken(ctx, entry);
      if (enabled) await ctx.api.poolSelfEnable(entry.apiUrl, wkt, entry.id);
      else await ctx.api.poolSelfDisable(entry.apiUrl, wkt, entry.id);
      return;
    }
    const target = workspaceTarget(entry);
    const token = await operatorTokenOrThrow(ctx, entry.apiUrl);
    if (enabled) await ctx.api.enableWorker(entry.apiUrl, token, target);
    else await ctx.api.disableWorker(entry.apiUrl, token, target);
  } catch (e) {
    throw apiFailure(e, what);
  }
}

export async function disableWorker(ctx: Ctx, id: string): Promise<VerbResult<'disable'>> {
  const entry = await entryOrThrow(ctx, id);
  await setRemoteEnabled(ctx, entry, false); // API first: a failure changes nothing locally
  await ctx.manifest.update(id, { desiredState: 'disabled' });
  await ctx.supervisor.stop(id);
  await ctx.refreshRemote();
  await ctx.afterChange();
  return done(id, 'disable');
}

export async function enableWorker(ctx: Ctx, id: string): Promise<VerbResult<'enable'>> {
  const entry = await entryOrThrow(ctx, id);
  await setRemoteEnabled(ctx, entry, true);
  await ctx.manifest.update(id, { desiredState: 'enabled' });
  await ctx.refreshRemote();
  await ctx.afterChange();
  return done(id, 'enable');
}

export async function deleteWorker(ctx: Ctx, id: string): Promise<VerbResult<'delete'>> {
  const entry = await ctx.manifest.get(id);
  if (!entry) {
    await ctx.afterChange();
    return done(id, 'delete'); // idempotent
  }
  // Server first, so a live credential is never orphaned; 404 means already gone.
  try {
    const token = await operatorTokenOrThrow(ctx, entry.apiUrl);
    const target =
      entry.mode === 'pool'
        ? ({ mode: 'pool', workerId: entry.id } as const)
        : workspaceTarget(entry);
    await ctx.api.deleteWorker(entry.apiUrl, token, target);
  } catch (e) {
    if (!(isApiError(e) && e.status === 404)) {
      if (entry.mode === 'pool' && isApiError(e) && (e.status === 401 || e.status === 403)) {
        throw new CommandError(
          'forbidden',
          `pool worker ${entry.label} can only be deregistered by a platform admin; ask one to delete ${entry.id}, then delete it here again`,
        );
      }
      throw apiFailure(e, `delete ${entry.label}`);
    }
  }
  await ctx.manifest.remove(id);
  await ctx.supervisor.stop(id);
  await ctx.afterChange();
  // Its runtime versions are kept only while another worker (or the newest two) needs them.
  await ctx.runtime.forget(id).catch(() => undefined);
  await ctx.runtime.prune().catch(() => undefined);
  // Only configs we created live in orchestrator/workers/; adopted legacy files stay (§12).
  if (resolve(dirname(entry.configPath)) === resolve(ctx.paths.workersDir)) {
    await rm(entry.configPath, { force: true }).catch(() => undefined);
  }
  return done(id, 'delete');
}
