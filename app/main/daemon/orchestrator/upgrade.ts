// Worker upgrade (contract §8.3) and self-upgrade (§8.7), with the reference's failures fixed:
// the new version is installed BEFORE the old process is stopped (a failed install leaves the
// worker running), a failed install re-enables what the drain disabled, an operator's own
// disable or local stop is respected, and the drain waits on fresh status.
import {
  CommandError,
  type CommandArgs,
  type CommandOutput,
  type FusedWorker,
} from '../../../shared/index.ts';
import { WORKER_PACKAGE } from '../tools/worker-cli.ts';
import { entryOrThrow, type Ctx } from './context.ts';
import { setRemoteEnabled } from './verbs.ts';

export const ORCHESTRATOR_PACKAGE = '@pipedai/orchestrator';
const upgradesInFlight = new WeakMap<Ctx, Set<string>>();

async function fusedOf(ctx: Ctx, id: string): Promise<FusedWorker | null> {
  return (await ctx.fused()).find((w) => w.id === id) ?? null;
}

/** Wait until the worker holds no run (fresh remote status each poll), at most `capMs`. */
async function waitIdle(ctx: Ctx, id: string, capMs: number): Promise<void> {
  const deadline = ctx.now() + capMs;
  for (;;) {
    await ctx.refreshRemote();
    const w = await fusedOf(ctx, id);
    if (!w || (!w.busy && !w.currentRunId)) return;
    if (ctx.now() >= deadline) return; // the API's sweeper fails the run as `infra`
    await ctx.sleep(Math.min(ctx.timings.drainPollMs, Math.max(0, deadline - ctx.now())));
  }
}

async function install(
  ctx: Ctx,
  pkg: string,
  source: { version?: string; fromLocal?: string; runScripts?: boolean },
): Promise<string> {
  if (source.fromLocal !== undefined)
    return ctx.npm.installFromLocal(source.fromLocal, { runScripts: source.runScripts === true });
  return ctx.npm.installVersion(pkg, source.version ?? '');
}

export async function upgradeWorker(
  ctx: Ctx,
  input: CommandArgs<'upgradeWorker'>,
): Promise<CommandOutput<'upgradeWorker'>> {
  const started = ctx.now();
  let inFlight = upgradesInFlight.get(ctx);
  if (!inFlight) upgradesInFlight.set(ctx, (inFlight = new Set()));
  if (inFlight.has(input.id))
    throw new CommandError('conflict', `an upgrade of ${input.id} is already in flight`);
  inFlight.add(input.id);
  try {
    const entry = await entryOrThrow(ctx, input.id);
    await ctx.refreshRemote();
    const before = await fusedOf(ctx, entry.id);
    const oldVersion = before?.workerVersion ?? null;
    // Drain only what the operator left enabled; re-enable only what we disabled.
    const drainRemote = before?.remote?.disabled !== true;
    if (drainRemote) await setRemoteEnabled(ctx, entry, false);
    let target: string;
    try {
      await waitIdle(ctx, entry.id, ctx.timings.upgradeDrainMs);
      target = await install(ctx, WORKER_PACKAGE, input);
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
    return {
      id: entry.id,
      action: 'upgrade',
      ok: true,
      target,
      durationMs: ctx.now() - started,
      oldVersion,
    };
  } finally {
    inFlight.delete(input.id);
  }
}

export async function upgradeSelf(
  ctx: Ctx,
  input: CommandArgs<'upgradeSelf'>,
  exitForRestart: () => void,
): Promise<CommandOutput<'upgradeSelf'>> {
  const started = ctx.now();
  const entries = await ctx.manifest.list();
  await Promise.all(entries.map((e) => waitIdle(ctx, e.id, ctx.timings.selfUpgradeDrainMs)));
  await ctx.supervisor.stopAll({ graceMs: ctx.timings.stopGraceMs });
  // On failure the caller releases the hold and reconciles: the reference leaves workers stopped.
  await install(ctx, ORCHESTRATOR_PACKAGE, input);
  // Answer first; the service manager (Restart=always, KeepAlive, AppExit Restart) brings us back.
  setTimeout(exitForRestart, 100).unref?.();
  return { ok: true, action: 'upgrade-self', durationMs: ctx.now() - started };
}
