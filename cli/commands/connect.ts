// `connect`: enroll this host in one step (contract §8.10): a pre-issued enr_ code, or device
// pairing that a person approves. Then persist, make sure the worker can run, and hand over to
// the daemon (a running one picks the worker up at once).
import { existsSync } from 'node:fs';
import { homedir, hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import {
  CommandError,
  DEFAULT_API_URL,
  normalizeApiUrl,
  type RedeemResponse,
} from '../../app/shared/index.ts';
import {
  ApiClient,
  redeemEnrollmentCode,
  startDevicePairing,
} from '../../app/main/daemon/api/index.ts';
import { workerConfigs } from '../../app/main/daemon/daemon.ts';
import { persistEnrollment } from '../../app/main/daemon/enroll/persist.ts';
import { ensureWorkerBinaryCli, workerCliFor } from './worker-binary.ts';
import { connectDaemon, readStdinIfPiped, type CliContext } from '../context.ts';
import type { Ui } from '../ui.ts';
import { installService } from './service.ts';
import { dashboardUrl, openOrPrint, waitForDaemon } from './dashboard.ts';

export interface ConnectOptions {
  token?: string;
  apiUrl: string;
  label?: string;
  install: boolean;
  open: boolean;
}

const CREDENTIAL_FILES = [
  '.claude/credentials',
  '.config/claude/credentials',
  'Library/Application Support/Claude/credentials',
  'AppData/Roaming/Claude/credentials',
];

export async function connect(ctx: CliContext, ui: Ui, opts: ConnectOptions): Promise<void> {
  const apiUrl = normalizeApiUrl(opts.apiUrl || DEFAULT_API_URL);
  const code = opts.token?.trim() || (await readStdinIfPiped());
  const hostname = osHostname();
  const workerCli = workerCliFor(ctx);
  const hostInfo = { hostname, os: process.platform, version: await workerCli.reportedVersion() };
  const label = opts.label?.trim() || undefined;
  ui.out(`connecting ${ui.bold(hostname)} (${process.platform}) to ${apiUrl}`);

  const client = new ApiClient();
  let result: RedeemResponse;
  let spin: ReturnType<Ui['spinner']> | null = null;
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    if (code) {
      result = await redeemEnrollmentCode(client, apiUrl, code, hostInfo, {
        ...(label ? { label } : {}),
        signal: abort.signal,
      });
    } else {
      const pairing = await startDevicePairing(client, apiUrl, {
        ...(label ? { label } : {}),
        hostInfo,
        onSlowDown: (s) =>
          spin?.update(`waiting for approval (the server asked to poll every ${s}s)…`),
      });
      ui.out('');
      ui.out(`  Open ${ui.cyan(pairing.verificationUriComplete)}`);
      ui.out(`  or go to ${ui.cyan(pairing.verificationUri)} and enter the code`);
      ui.out('');
      ui.out(`      ${ui.bold(pairing.userCode)}`);
      ui.out('');
      const mins = Math.max(1, Math.round((Date.parse(pairing.expiresAt) - Date.now()) / 60_000));
      const waiting = ui.spinner(
        `waiting for approval in the PipedAI dashboard (code expires in ${mins} min; Ctrl-C to cancel)…`,
      );
      spin = waiting;
      try {
        result = await pairing.wait(abort.signal);
        waiting.stop(ui.green('✓ approved'));
      } catch (e) {
        waiting.stop();
        throw e;
      }
    }
  } catch (e) {
    throw new CommandError(
      'upstream',
      `connect failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    process.off('SIGINT', onSigint);
    client.close();
  }

  const { entry, reused } = await persistEnrollment(
    {
      paths: ctx.paths,
      manifest: ctx.store.manifest,
      credentials: ctx.store.credentials,
      workerConfigs,
    },
    result,
    { ...(label ? { label } : {}), hostname },
  );
  ui.out(
    `${ui.green('✓')} registered ${ui.bold(entry.label)}${reused ? ' (this host was already enrolled: updated in place)' : ''} → ${entry.configPath}`,
  );
  ui.out(
    ui.dim(
      `  workerId=${entry.id} workspaceId=${result.workspaceId} environmentId=${result.environmentId}`,
    ),
  );

  const home = ctx.env.HOME || ctx.env.USERPROFILE || homedir();
  if (
    result.authMode === 'claude_max' &&
    !CREDENTIAL_FILES.some((f) => existsSync(join(home, f)))
  ) {
    ui.out(
      ui.yellow(
        '! this workspace uses a Claude subscription: run `claude login` as this user before the worker takes runs',
      ),
    );
  }
  if (result.authMode === 'api_key' && !ctx.env.ANTHROPIC_API_KEY) {
    ui.out(
      ui.yellow(
        '! this workspace uses an API key: set ANTHROPIC_API_KEY in the worker environment (the service unit, or the shell running `start`)',
      ),
    );
  }

  await ensureWorkerBinaryCli(ctx, ui, workerCli);

  // A daemon already running picks the worker up now instead of at its next manifest check.
  try {
    const daemon = await connectDaemon(ctx);
    await daemon.call(reused ? 'restartWorker' : 'startWorker', { id: entry.id });
    ui.out(`${ui.green('✓')} the running daemon now supervises ${entry.label}`);
    return;
  } catch (e) {
    // No daemon running (or none that proves itself): fall through to install or the next steps.
    ui.out(ui.dim(e instanceof Error ? e.message : String(e)));
  }

  if (!opts.install) {
    ui.out('');
    ui.out(
      ui.bold('Next steps') +
        ' — the host is ready in foreground mode. In a terminal you keep open:',
    );
    ui.out(
      `  pipedai-orchestrator start            ${ui.dim('# runs the daemon, which supervises the workers')}`,
    );
    ui.out(`  pipedai-orchestrator dashboard --open ${ui.dim('# opens the dashboard')}`);
    ui.out(`Or run ${ui.bold('pipedai-orchestrator install')} to keep it running as a service.`);
    return;
  }
  try {
    await installService(ctx, ui);
  } catch (e) {
    ui.err(
      ui.yellow(
        `! could not install the service (${e instanceof Error ? e.message : String(e)}); run \`pipedai-orchestrator install\` yourself, or \`pipedai-orchestrator start\` in a terminal`,
      ),
    );
    return;
  }
  if (opts.open) {
    const port = await waitForDaemon(ctx, 15_000);
    if (port === null)
      ui.out(
        ui.yellow(
          '! the service did not answer within 15 s; `pipedai-orchestrator status` shows why',
        ),
      );
    else await openOrPrint(ctx, ui, await dashboardUrl(ctx, port));
  }
}
