// Worker upgrade (contract §8.3) and self-upgrade (§8.7), so that nothing is left broken:
// the new version is installed BEFORE the old process is stopped (a failed install leaves the
// worker running), a failed install re-enables what the drain disabled, an operator's own
// disable or local stop is respected, and the drain waits on fresh status for the run to finish,
// however long. A self-upgrade drains nothing: the new daemon adopts the running workers.
import {
  CommandError,
  compareVersions,
  type CommandArgs,
  type CommandOutput,
  type FusedWorker,
} from '../../../shared/index.ts';
import type { SelfUpdater } from '../self-update/install.ts';
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
      await waitIdle(ctx, entry.id);
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
  deps: { version: string; updater: SelfUpdater; handOff: () => void },
): Promise<CommandOutput<'upgradeSelf'>> {
  const started = ctx.now();
  const older = (v: string): boolean => (compareVersions(v, deps.version) ?? 0) < 0;
  if (input.version !== undefined && older(input.version))
    throw new CommandError(
      'bad-request',
      `${input.version} is older than the running ${deps.version}`,
      'version',
    );
  // No drain and no stop: the workers keep their runs while npm works. A failure ends here, with
  // the running daemon untouched.
  const installed = await deps.updater.install(input);
  if (older(installed.version))
    throw new CommandError(
      'bad-request',
      `${installed.version} is older than the running ${deps.version}; nothing changed`,
    );
  // Answer first; then this daemon gives way, leaving the workers to the new one (headless.ts).
  setTimeout(deps.handOff, 100).unref?.();
  return {
    ok: true,
    action: 'upgrade-self',
    durationMs: ctx.now() - started,
    version: installed.version,
  };
}
