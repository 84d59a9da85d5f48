// `login` and `adopt`: work on the state files, no daemon needed.
import {
  adopt as adoptConfigs,
  login as storeLogin,
  type LoginScope,
  workerConfigs,
} from '../../app/main/daemon/index.ts';
import { ensureRuntimeCli } from './worker-binary.ts';
import { CommandError } from '../../app/shared/index.ts';
import { readStdinIfPiped, type CliContext } from '../context.ts';
import { UsageError } from '../args.ts';
import type { Ui } from '../ui.ts';

export async function login(
  ctx: CliContext,
  ui: Ui,
  opts: { apiUrl: string; token?: string; scope: string },
): Promise<void> {
  if (opts.scope !== 'workspace' && opts.scope !== 'pool')
    throw new UsageError(`--scope must be workspace or pool, got ${JSON.stringify(opts.scope)}`);
  if (opts.token !== undefined)
    ui.err(
      ui.yellow(
        '! --token puts a long-lived key in the process list and your shell history: pipe it on stdin instead (`pipedai-orchestrator login --api-url <url> < key.txt`) or set PIPEDAI_OPERATOR_TOKEN',
      ),
    );
  const token = opts.token ?? ctx.env.PIPEDAI_OPERATOR_TOKEN ?? (await readStdinIfPiped()) ?? '';
  try {
    const r = await storeLogin(ctx.store.credentials, opts.apiUrl, token, opts.scope as LoginScope);
    ui.out(
      `${ui.green('✓')} stored the ${r.scope} credential for ${r.apiUrl} in ${ctx.paths.credentials} (0600)`,
    );
  } catch (e) {
    // A missing or mis-shaped token is a usage error (exit 2), as scripts of the published CLI expect.
    if (e instanceof CommandError && e.code === 'bad-request') throw new UsageError(e.message);
    throw e;
  }
}

export async function adopt(
  ctx: CliContext,
  ui: Ui,
  opts: { dir?: string; disabled: boolean },
): Promise<void> {
  const report = await adoptConfigs(
    { manifest: ctx.store.manifest, workerConfigs },
    opts.dir ?? ctx.paths.home,
    { disabled: opts.disabled },
  );
  if (report.adopted.length === 0 && report.skipped.length === 0) return ui.out('nothing to adopt');
  for (const a of report.adopted) ui.out(`${ui.green('+')} ${a.label} (${a.mode}) → ${a.id}`);
  for (const s of report.skipped) ui.out(`${ui.dim('-')} ${s.path}: ${s.reason}`);
  ui.out(`${report.adopted.length} adopted, ${report.skipped.length} skipped`);
  if (report.adopted.length > 0) {
    // Adopted workers run the orchestrator's own runtime from now on.
    await ensureRuntimeCli(
      ctx,
      ui,
      report.adopted.map((a) => a.id),
    );
    ui.out(
      ui.yellow(
        '! stop the old per-worker services (e.g. com.marolence.pipedai-worker.<label>) before starting the daemon, so no worker runs twice',
      ),
    );
  }
}
