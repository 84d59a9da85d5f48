// `doctor [--json]`: what is wrong with this host and the command that fixes each problem (brew
// doctor, flutter doctor). The running daemon checks (its environment is the one workers get);
// with no daemon, the CLI checks what it can by itself and says the daemon is down.
import type { CheckStatus, DiagnosticCheck, Diagnostics } from '../../app/shared/index.ts';
import { ApiClient } from '../../app/main/daemon/api/index.ts';
import { collectDiagnostics } from '../../app/main/daemon/diagnostics/collect.ts';
import { readLiveOwner } from '../../app/main/daemon/owner/index.ts';
import { resolveWorkerBin } from '../../app/main/daemon/supervisor/index.ts';
import { createToolRunner } from '../../app/main/daemon/tools/run-tool.ts';
import { createWorkerCli } from '../../app/main/daemon/tools/worker-cli.ts';
import { VERSION } from '../../app/main/daemon/version.ts';
import { hostServiceOptions, probeService } from '../../app/main/service/index.ts';
import { cliEntry } from '../assets.ts';
import { connectDaemon, type CliContext } from '../context.ts';
import { visibleWidth, type Ui } from '../ui.ts';

/** A daemon busy probing a slow API still answers within this. */
const DAEMON_DIAGNOSE_MS = 60_000;

async function fromDaemon(ctx: CliContext, port?: number): Promise<Diagnostics | null> {
  const owner = await readLiveOwner(ctx.paths);
  if (port === undefined && !owner?.port) return null;
  try {
    const client = await connectDaemon(ctx, port);
    return await client.call(
      'getDiagnostics',
      { cliVersion: VERSION },
      { timeoutMs: DAEMON_DIAGNOSE_MS },
    );
  } catch {
    return null;
  }
}

async function byMyself(ctx: CliContext): Promise<Diagnostics> {
  const api = new ApiClient();
  const workerBin = resolveWorkerBin(ctx.env);
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
      workerBin,
      workerVersion: () =>
        createWorkerCli(createToolRunner(process.platform), workerBin, ctx.env).version(),
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
