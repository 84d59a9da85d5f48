// Worker upgrade (contract §8.3), rollback and self-upgrade (§8.7), so that nothing is left
// broken: the new version is installed side by side BEFORE the worker is drained (a failed
// install leaves it running, and nothing was disabled), an operator's own disable or local stop
// is respected, the drain waits on fresh status for the run to finish, however long, and the
// previous version is kept to go back to. A self-upgrade drains nothing: the new daemon adopts
// the running workers.
import {
  CommandError,
  type CommandArgs,
  type CommandOutput,
  type FusedWorker,
  type ManifestEntry,
} from '../../../shared/index.ts';
import type { SelfUpdater } from '../self-update/install.ts';
import { refuseDowngrade } from './self-version.ts';
import { WORKER_PACKAGE } from '../tools/worker-cli.ts';
import { entryOrThrow, type Ctx } from './context.ts';
import { setRemoteEnabled } from './verbs.ts';

const upgradesInFlight = new WeakMap<Ctx, Set<string>>();

async function fusedOf(ctx: Ctx, id: string): Promise<FusedWorker | null> {
  return (await ctx.fused()).find((w) => w.id === id) ?? null;
}

/**
 * Wait until the worker holds no run (fresh remote status each poll), however long; only the
 * operator's drain ceiling, when set, ends the wait early (the API's sweeper then fails the run).
 */
async function waitIdle(ctx: Ctx, id: string): Promise<void> {
  const capMs = ctx.timings.drainCeilingMs ?? Infinity;
  const deadline = ctx.now() + capMs;
  for (;;) {
    await ctx.refreshRemote();
    const w = await fusedOf(ctx, id);
    if (!w || (!w.busy && !w.currentRunId)) return;
    if (ctx.now() >= deadline) return;
    await ctx.sleep(Math.min(ctx.timings.drainPollMs, Math.max(0, deadline - ctx.now())));
  }
}

/**
 * Drain the worker (server-side disable, wait for its run), `swap` its runtime, respawn it,
 * re-enable what we disabled. A failed swap re-enables and leaves the worker as it was.
 */
async function drainAndSwitch(
  ctx: Ctx,
  entry: ManifestEntry,
  swap: () => Promise<void>,
): Promise<void> {
  await ctx.refreshRemote();
  const before = await fusedOf(ctx, entry.id);
  // Drain only what the operator left enabled; re-enable only what we disabled.
  const drainRemote = before?.remote?.disabled !== true;
  if (drainRemote) await setRemoteEnabled(ctx, entry, false);
  try {
    await waitIdle(ctx, entry.id);
    await swap();
  } catch (e) {
    if (drainRemote) await setRemoteEnabled(ctx, entry, true).catch(() => undefined);
    // The failure's answer, like every verb's, must not leave the view saying "disabled".
    await ctx.refreshRemote().catch(() => undefined);
    await ctx.afterChange().catch(() => undefined);
    throw e;
  }
  const current = await ctx.manifest.get(entry.id);
  if (current?.desiredState === 'enabled') await ctx.supervisor.restart(entry.id);
  if (drainRemote) await setRemoteEnabled(ctx, entry, true);
  await ctx.refreshRemote();
  await ctx.afterChange();
}

function guard(ctx: Ctx, id: string): () => void {
  let inFlight = upgradesInFlight.get(ctx);
  if (!inFlight) upgradesInFlight.set(ctx, (inFlight = new Set()));
  if (inFlight.has(id))
    throw new CommandError('conflict', `an upgrade or rollback of ${id} is already in flight`);
  inFlight.add(id);
  const set = inFlight;
  return () => set.delete(id);
}

/**
 * Side by side (the GitHub runner's way): the new version is installed into its own folder while
 * the old one runs; only then is the worker drained, switched (one write of its pin) and
 * respawned. The previous version stays installed; a crash loop soon after rolls it back.
 */
export async function upgradeWorker(
  ctx: Ctx,
  input: CommandArgs<'upgradeWorker'>,
  onSwitched: (id: string) => void = () => undefined,
): Promise<CommandOutput<'upgradeWorker'>> {
  const started = ctx.now();
  const release = guard(ctx, input.id);
  try {
    const entry = await entryOrThrow(ctx, input.id);
    const oldVersion = (await fusedOf(ctx, entry.id))?.workerVersion ?? null;
    // Installing costs the running worker nothing: before any drain.
    const version = await ctx.runtime.install(
      input.fromLocal !== undefined
        ? { fromLocal: input.fromLocal, runScripts: input.runScripts === true }
        : { version: input.version ?? '' },
      [entry.id],
    );
    await drainAndSwitch(ctx, entry, () => ctx.runtime.pin(entry.id, version));
    onSwitched(entry.id);
    await ctx.runtime.prune().catch(() => undefined);
    return {
      id: entry.id,
      action: 'upgrade',
      ok: true,
      target: input.fromLocal !== undefined ? `local:${version}` : `${WORKER_PACKAGE}@${version}`,
      durationMs: ctx.now() - started,
      oldVersion,
    };
  } finally {
    release();
  }
}

/** Manual rollback: drain, back to the previous managed version, respawn. */
export async function rollbackWorker(
  ctx: Ctx,
  id: string,
): Promise<CommandOutput<'rollbackWorker'>> {
  const release = guard(ctx, id);
  try {
    const entry = await entryOrThrow(ctx, id);
    const view = ctx.runtime.view(entry.id);
    if (!view.previous)
      throw new CommandError(
        'precondition',
        `${entry.label} has no previous managed runtime to roll back to`,
      );
    let moved = { from: '', to: '' };
    await drainAndSwitch(ctx, entry, async () => {
      moved = await ctx.runtime.rollback(entry.id, false);
    });
    return { id: entry.id, action: 'rollback', ok: true, ...moved };
  } finally {
    release();
  }
}

export async function upgradeSelf(
  ctx: Ctx,
  input: CommandArgs<'upgradeSelf'>,
  deps: { version: string; updater: SelfUpdater; handOff: () => void },
): Promise<CommandOutput<'upgradeSelf'>> {
  const started = ctx.now();
  // Never an older version by accident: a named older one needs allowDowngrade (409 otherwise).
  refuseDowngrade(deps.version, input);
  // No drain and no stop: the workers keep their runs while npm works. A failure ends here, with
  // the running daemon untouched.
  const installed = await deps.updater.install(input);
  // A dist-tag (`latest`) or a local folder named no version: what it turned out to be counts.
  refuseDowngrade(deps.version, { ...input, version: installed.version }, 'nothing changed');
  // Answer first; then this daemon gives way, leaving the workers to the new one (headless.ts).
  setTimeout(deps.handOff, 100).unref?.();
  return {
    ok: true,
    action: 'upgrade-self',
    durationMs: ctx.now() - started,
    version: installed.version,
  };
}
