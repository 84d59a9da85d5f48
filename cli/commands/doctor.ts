// `doctor [--json]`: what is wrong with this host and the command that fixes each problem (brew
// doctor, flutter doctor). The running daemon checks (its environment is the one workers get);
// with no daemon, the CLI checks what it can by itself and says the daemon is down.
import { existsSync } from 'node:fs';
import type { CheckStatus, DiagnosticCheck, Diagnostics } from '../../app/shared/index.ts';
import {
  ApiClient,
  bundledNpmCli,
  collectDiagnostics,
  createToolRunner,
  createWorkerCli,
  createWorkerRuntime,
  measureDisk,
  selfNodeRuntime,
  readLiveOwner,
  VERSION,
  WORKER_PACKAGE,
} from '../../app/main/daemon/index.ts';
import { hostServiceOptions, probeService } from '../../app/main/service/index.ts';
import { cliEntry } from '../assets.ts';
import { connectDaemon, type CliContext } from '../context.ts';
import { visibleWidth, type Ui } from '../ui.ts';

async function fromDaemon(ctx: CliContext, port?: number): Promise<Diagnostics | null> {
  const owner = await readLiveOwner(ctx.paths);
  if (port === undefined && !owner?.port) return null;
  try {
    const client = await connectDaemon(ctx, port);
    return await client.call('getDiagnostics', { cliVersion: VERSION });
  } catch {
    return null;
  }
}

async function byMyself(ctx: CliContext): Promise<Diagnostics> {
  const api = new ApiClient();
  const run = createToolRunner(process.platform);
  // The runtime as the daemon would load it, read only (no shim written, no staging swept).
  const runtime = createWorkerRuntime({
    home: ctx.paths.home,
    pkg: WORKER_PACKAGE,
    platform: process.platform,
    node: selfNodeRuntime(process, existsSync),
    npmCli: bundledNpmCli(),
    run,
    env: ctx.env,
  });
  await runtime.refresh().catch(() => undefined);
  const unmanaged = createWorkerCli(
    run,
    () => {
      const p = runtime.launchFor(null);
      return p.source === 'none' ? null : p;
    },
    ctx.env,
  );
  try {
    return await collectDiagnostics({
      paths: ctx.paths,
      env: ctx.env,
      platform: process.platform,
      by: 'cli',
      version: VERSION,
      manifest: await ctx.store.manifest.list().catch(() => []),
      owner: () => readLiveOwner(ctx.paths),
      service: () => probeService({ ...hostServiceOptions(cliEntry()), env: ctx.env }),
      runtime: runtime.overview(),
      runtimeOf: (id) => runtime.view(id),
      workerVersion: () => unmanaged.version(),
      disk: () => measureDisk(ctx.paths),
      probeApi: (url) => api.healthAndDate(url),
    });
  } finally {
    api.close();
  }
}

export function doctorReport(ui: Ui, report: Diagnostics): string[] {
  const mark: Record<CheckStatus, string> = {
    ok: ui.green('✓'),
    info: ui.cyan('•'),
    warn: ui.yellow('!'),
    fail: ui.red('✗'),
  };
  const width = Math.max(...report.checks.map((c) => visibleWidth(c.title)));
  const indent = ' '.repeat(width + 6);
  const lines = [
    ui.bold('PipedAI Orchestrator doctor') +
      ui.dim(
        report.by === 'daemon'
          ? ' — checked by the running daemon (what its workers get)'
          : ' — checked by this CLI (no daemon answered)',
      ),
    '',
  ];
  for (const c of report.checks) {
    lines.push(`[${mark[c.status]}] ${c.title.padEnd(width)}  ${c.summary}`);
    if (c.status === 'warn' || c.status === 'fail') {
      for (const d of c.details) lines.push(ui.dim(`${indent}${d}`));
      if (c.fix) lines.push(`${indent}→ ${ui.bold(c.fix)}`);
    }
  }
  const problems = report.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
  const failing = problems.filter((c) => c.status === 'fail').length;
  lines.push('');
  lines.push(
    problems.length === 0
      ? ui.green('No problems found.')
      : `${problems.length} problem${problems.length === 1 ? '' : 's'} (${failing} failing): run the commands marked →, then \`pipedai-orchestrator doctor\` again.`,
  );
  return lines;
}

/** Exit 1 when a check fails (a warning alone is 0, so scripts stop only on real breakage). */
export async function doctor(
  ctx: CliContext,
  ui: Ui,
  opts: { json: boolean; port?: number },
): Promise<boolean> {
  const report = (await fromDaemon(ctx, opts.port)) ?? (await byMyself(ctx));
  if (opts.json) ui.out(JSON.stringify(report, null, 2));
  else for (const line of doctorReport(ui, report)) ui.out(line);
  return !report.checks.some((c: DiagnosticCheck) => c.status === 'fail');
}
