// `install`, `uninstall`, `status`: the native service that keeps the daemon alive (§8.13).
import { existsSync } from 'node:fs';
import { measureDisk, readLiveOwner, selfNodeRuntime } from '../../app/main/daemon/index.ts';
import { hostServiceOptions, serviceManagerFor } from '../../app/main/service/index.ts';
import { cliEntry } from '../assets.ts';
import { readSecret, type CliContext } from '../context.ts';
import { packagedLauncher } from '../launch.ts';
import type { Ui } from '../ui.ts';
import type { LogFormat } from '../../app/shared/log.ts';

function manager(ctx: CliContext, opts: { user?: string; logFormat?: LogFormat } = {}) {
  // The CLI of a desktop package: units run its launcher (its binary as Node), never a system node.
  const launcher = packagedLauncher(process.platform, cliEntry());
  return serviceManagerFor({
    ...hostServiceOptions(cliEntry()),
    ...(launcher !== null && existsSync(launcher) ? { launcher } : {}),
    nodeEnv: selfNodeRuntime().env,
    // The unit's `start` logs in this format (PIPEDAI_LOG_FORMAT baked into it).
    env: opts.logFormat ? { ...ctx.env, PIPEDAI_LOG_FORMAT: opts.logFormat } : ctx.env,
    // The unit pins the state folder this command works on (the user's, under sudo).
    stateHome: ctx.paths.home,
    // Windows: the service logs on as this account, with its password (never kept).
    ...(opts.user === undefined ? {} : { serviceAccount: opts.user }),
    servicePassword: (account) =>
      readSecret(`password of ${account} (the service logs on as it): `),
  });
}

export async function installService(
  ctx: CliContext,
  ui: Ui,
  opts: { user?: string; logFormat?: LogFormat } = {},
): Promise<void> {
  const report = await manager(ctx, opts).install();
  ui.out(`${ui.green('✓')} wrote ${report.unitPath}`);
  if (report.activated)
    ui.out(`${ui.green('✓')} ${report.kind} service ${report.name} installed and started`);
  ui.out(`logs: ${report.logs}`);
  for (const hint of report.hints) ui.out(ui.yellow(`! ${hint}`));
  ui.out(`check it with ${ui.bold('pipedai-orchestrator status')}`);
}

export async function uninstallService(ctx: CliContext, ui: Ui): Promise<void> {
  const report = await manager(ctx).uninstall();
  for (const e of report.errors) ui.err(ui.yellow(`! ${e}`));
  ui.out(
    report.removed
      ? `${ui.green('✓')} removed ${report.unitPath}`
      : `${report.unitPath} was not installed`,
  );
  ui.out(ui.dim('state under PIPEDAI_HOME and server registrations are untouched'));
}

export async function serviceStatus(ctx: CliContext, ui: Ui, json: boolean): Promise<boolean> {
  const status = await manager(ctx).status();
  const owner = await readLiveOwner(ctx.paths);
  // What the state folder's logs and runs take: read from disk, so it works with no daemon.
  const disk = await measureDisk(ctx.paths);
  // Enrolled: the workers this host runs (what provisioning checks before it enrolls again).
  const workers = (await ctx.store.manifest.list().catch(() => [])).map((e) => ({
    id: e.id,
    label: e.label,
    apiUrl: e.apiUrl,
    desiredState: e.desiredState,
  }));
  if (json) {
    ui.out(
      JSON.stringify(
        { service: status, daemon: owner, enrolled: workers.length > 0, workers, disk },
        null,
        2,
      ),
    );
  } else {
    ui.out(
      `service: ${status.running ? ui.green('running') : status.installed ? ui.yellow('installed, not running') : 'not installed'}${status.detail ? ui.dim(` (${status.detail.split('\n')[0]})`) : ''}`,
    );
    ui.out(
      owner
        ? `daemon: pid ${owner.pid} (${owner.host}) on 127.0.0.1:${owner.port ?? '?'} since ${new Date(owner.startedAt).toISOString()}`
        : 'daemon: not running',
    );
    ui.out(
      `workers: ${workers.length === 0 ? 'none (not enrolled)' : workers.map((w) => w.label).join(', ')}`,
    );
    ui.out(
      `disk: logs ${mb(disk.logsBytes)}, worker output ${mb(disk.captureBytes)}, runs ${mb(disk.runsBytes)}, connectivity log ${mb(disk.connectivityBytes)}`,
    );
  }
  return status.running || owner !== null;
}

const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
