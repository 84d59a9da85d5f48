// The worker binary as the CLI sees it: probe, and install it when it is missing.
import {
  resolveWorkerBin,
  createNpmInstaller,
  createToolRunner,
  createWorkerCli,
  WORKER_PACKAGE,
  type WorkerCli,
} from '../../app/main/daemon/index.ts';
import type { CliContext } from '../context.ts';
import type { Ui } from '../ui.ts';
import { errorMessage } from '../../app/shared/index.ts';

export function workerCliFor(ctx: CliContext): WorkerCli {
  return createWorkerCli(createToolRunner(), resolveWorkerBin(ctx.env), ctx.env);
}

/** Install the worker CLI only when it does not answer: a reinstall on every run is slow. */
export async function ensureWorkerBinaryCli(
  ctx: CliContext,
  ui: Ui,
  cli: WorkerCli,
): Promise<void> {
  const have = await cli.version();
  if (have) {
    ui.out(ui.dim(`  pipedai-worker ${have} found`));
    return;
  }
  const spin = ui.spinner(`installing ${WORKER_PACKAGE} (npm install -g)…`);
  try {
    await createNpmInstaller(createToolRunner(), { env: ctx.env }).installVersion(
      WORKER_PACKAGE,
      'latest',
    );
    spin.stop(`${ui.green('✓')} installed ${WORKER_PACKAGE}`);
  } catch (e) {
    spin.stop();
    ui.err(ui.yellow(`! could not install ${WORKER_PACKAGE}: ${errorMessage(e)}`));
    ui.err(`  install it yourself with: npm install -g ${WORKER_PACKAGE}`);
  }
}
