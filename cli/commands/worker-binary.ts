// The worker runtime as the CLI sees it (connect, adopt): the same managed runtime the daemon
// runs, installed from this process with a spinner that follows npm's phases.
import { existsSync } from 'node:fs';
import {
  bundledNpmCli,
  createToolRunner,
  createWorkerCli,
  createWorkerRuntime,
  selfNodeRuntime,
  WORKER_PACKAGE,
  type WorkerCli,
  type WorkerRuntime,
} from '../../app/main/daemon/index.ts';
import { errorMessage, type RuntimeInstall } from '../../app/shared/index.ts';
import type { CliContext } from '../context.ts';
import type { Ui } from '../ui.ts';

export interface CliRuntime {
  runtime: WorkerRuntime;
  /** The unmanaged worker (PIPEDAI_WORKER_BIN or PATH), for its `--version`. */
  workerCli: WorkerCli;
}

const PHASE: Record<RuntimeInstall['phase'], string> = {
  queued: 'waiting for another install',
  resolving: 'resolving',
  downloading: 'downloading',
  installing: 'installing',
  verifying: 'verifying',
  done: 'installed',
  failed: 'failed',
};

export async function cliRuntime(
  ctx: CliContext,
  onInstall: (install: RuntimeInstall) => void = () => undefined,
): Promise<CliRuntime> {
  const run = createToolRunner();
  const runtime = createWorkerRuntime({
    home: ctx.paths.home,
    pkg: WORKER_PACKAGE,
    platform: process.platform,
    node: selfNodeRuntime(process, existsSync),
    npmCli: bundledNpmCli(),
    run,
    env: ctx.env,
    onInstall,
  });
  await runtime.load();
  const workerCli = createWorkerCli(
    run,
    () => {
      const p = runtime.launchFor(null);
      return p.source === 'none' ? null : p;
    },
    ctx.env,
  );
  return { runtime, workerCli };
}

/**
 * Make sure `ids` (or, with none, a new worker) have a runtime, with a spinner; a failure is
 * reported plainly and returns null (the worker is kept; the daemon tries again at its start).
 */
export async function ensureRuntimeCli(
  ctx: CliContext,
  ui: Ui,
  ids: readonly string[],
): Promise<string | null | undefined> {
  let spin: ReturnType<Ui['spinner']> | null = null;
  const { runtime } = await cliRuntime(ctx, (install) => {
    const text = `${PHASE[install.phase]} ${install.version ? `${install.package}@${install.version}` : install.spec}${install.registry ? ui.dim(` from ${install.registry}`) : ''}…`;
    if (install.phase === 'done' || install.phase === 'failed') return;
    if (spin) spin.update(text);
    else spin = ui.spinner(text);
  });
  try {
    const version = await runtime.ensure(ids);
    (spin as ReturnType<Ui['spinner']> | null)?.stop();
    if (version === null) ui.out(ui.dim('  pipedai-worker: PIPEDAI_WORKER_BIN (not managed)'));
    else
      ui.out(
        `${ui.green('✓')} worker runtime ${WORKER_PACKAGE}@${version} ${ui.dim(`(${runtime.layout.versionDir(version)})`)}`,
      );
    return version;
  } catch (e) {
    (spin as ReturnType<Ui['spinner']> | null)?.stop();
    ui.err(ui.yellow(`! ${errorMessage(e)}`));
    return undefined;
  }
}
