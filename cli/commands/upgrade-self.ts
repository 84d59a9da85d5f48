// `upgrade --self [--version X] [--allow-downgrade]`: install another orchestrator through the
// running daemon (into PIPEDAI_HOME/runtime/orchestrator/<v>/, daemon/self-update/), which then
// hands its workers over to it (the service manager starts it, or the daemon re-executes in
// place in a terminal), and wait until the daemon answers as that version.
import { InstallVersion, compareVersions } from '../../app/shared/index.ts';
import { connectDaemon, type CliContext } from '../context.ts';
import { UsageError } from '../args.ts';
import type { Ui } from '../ui.ts';

/** How long the new daemon may take to answer after the old one exits. */
const COMEBACK_MS = 120_000;

export type SelfPlan =
  | { kind: 'install'; from: string; to: string; downgrade: boolean }
  | { kind: 'nothing'; message: string }
  | { kind: 'refuse'; message: string };

/** What `upgrade --self` does for a running `from`, the latest release, and the flags. */
export function planSelfUpgrade(o: {
  from: string;
  latest: string | null;
  version?: string;
  allowDowngrade: boolean;
}): SelfPlan {
  const to = o.version ?? o.latest;
  if (!to)
    return {
      kind: 'refuse',
      message:
        'the latest orchestrator release is not known yet (the daemon asks pipedai-api at start and daily); name one with --version',
    };
  const cmp = compareVersions(to, o.from);
  if (cmp === 0) return { kind: 'nothing', message: `the orchestrator is already ${o.from}` };
  if (cmp !== null && cmp < 0) {
    if (o.version === undefined)
      return {
        kind: 'nothing',
        message: `the orchestrator ${o.from} is newer than the latest release (${to}): nothing to upgrade`,
      };
    if (!o.allowDowngrade)
      return {
        kind: 'refuse',
        message: `refusing to downgrade the orchestrator ${o.from} → ${to}; add --allow-downgrade to do it`,
      };
  }
  return { kind: 'install', from: o.from, to, downgrade: cmp !== null && cmp < 0 };
}

/** Poll the host's owner until it answers as `version` (it may come back on another port). */
async function waitForVersion(
  ctx: CliContext,
  version: string,
  ms: number,
): Promise<number | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    // Only a live owner that proves itself gets the token (connectDaemon verifies it).
    const client = await connectDaemon(ctx).catch(() => null);
    const self = await client?.call('getSelf', {}).catch(() => null);
    if (client && self?.version === version) return Number(new URL(client.baseUrl).port);
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}

export async function upgradeSelfCommand(
  ctx: CliContext,
  ui: Ui,
  opts: { version?: string; allowDowngrade: boolean; port?: number },
): Promise<boolean> {
  if (opts.version !== undefined && !InstallVersion.safeParse(opts.version).success)
    throw new UsageError(
      `--version must be a version like 0.9.0, got ${JSON.stringify(opts.version)}`,
    );
  const client = await connectDaemon(ctx, opts.port);
  const self = await client.call('getSelf', {});
  const plan = planSelfUpgrade({ from: self.version, latest: self.latest, ...opts });
  if (plan.kind === 'nothing') {
    ui.out(plan.message);
    return true;
  }
  if (plan.kind === 'refuse') {
    ui.err(`${ui.red('✗')} ${plan.message}`);
    return false;
  }
  const started = Date.now();
  const spin = ui.spinner(
    `orchestrator ${plan.from} → ${plan.to}${plan.downgrade ? ui.yellow(' (downgrade)') : ''}: installing @pipedai/orchestrator@${plan.to}…`,
  );
  try {
    // The command table gives the install its wait (npm, bounded by the daemon, then the proof).
    await client.call('upgradeSelf', {
      version: plan.to,
      ...(plan.downgrade ? { allowDowngrade: true } : {}),
    });
  } catch (e) {
    spin.stop(
      `${ui.red('✗')} orchestrator ${plan.from} → ${plan.to}: ${e instanceof Error ? e.message : String(e)}`,
    );
    return false;
  }
  spin.update(
    `orchestrator ${plan.from} → ${plan.to}: installed; waiting for the daemon to restart as ${plan.to}…`,
  );
  const port = await waitForVersion(ctx, plan.to, COMEBACK_MS);
  if (port === null) {
    spin.stop(
      `${ui.yellow('!')} installed ${plan.to}, but no daemon answered as ${plan.to} within ${COMEBACK_MS / 1000} s (\`pipedai-orchestrator status\`; \`pipedai-orchestrator start\` runs the newest installed version)`,
    );
    return false;
  }
  spin.stop(
    `${ui.green('✓')} orchestrator ${plan.from} → ${plan.to} (${((Date.now() - started) / 1000).toFixed(1)}s); the daemon answers on 127.0.0.1:${port}`,
  );
  return true;
}
