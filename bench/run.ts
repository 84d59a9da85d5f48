// `npm run bench`: ours against the published @pipedai/orchestrator, side by side, on the sandbox
// API with the worker simulator. Prints the ratio table; full runs write docs/benchmarks.md.
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DAEMON_KINDS,
  daemonEnv,
  installPublished,
  oursBinary,
  type DaemonBinary,
  type DaemonKind,
} from './daemons.ts';
import { toMiB } from './measure.ts';
import { parseOptions, USAGE } from './options.ts';
import { cleanupSync, installCleanup, registerTempRoot } from './procs.ts';
import { rows, type RoundResult } from './metrics.ts';
import { consoleTable, machineInfo, writeReport } from './report.ts';
import { startSandbox } from './sandbox.ts';
import {
  bareNodeRssKiB,
  bareNodeStart,
  cliStart,
  flood,
  idleEmpty,
  idleFleet,
  type BenchContext,
  type CliStart,
  type Flood,
  type IdleEmpty,
  type IdleFleet,
} from './scenarios.ts';
import { registerFleet } from './setup.ts';
import { buildSimulator } from './simulator.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const took = (since: number): string => ` (${((performance.now() - since) / 1000).toFixed(1)} s)`;

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error && e.message.includes('usage:'))) log(USAGE);
    process.exitCode = 2;
    return;
  }
  if (opts === 'help') return void console.log(USAGE);
  if (Number(process.versions.node.split('.')[0]) !== 22)
    throw new Error(
      `the bench runs on Node 22 (got ${process.version}): source scripts/use-node22.sh`,
    );
  const oursCli = resolve(repoRoot, opts.oursCli);
  const sandboxEntry = join(repoRoot, 'dist', 'sandbox.js');
  for (const f of [oursCli, sandboxEntry])
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first`);

  const startedAt = new Date();
  const loadBefore = loadavg();
  installCleanup(log);
  const root = await mkdtemp(join(tmpdir(), 'pipedai-bench-'));
  registerTempRoot(root);
  const setupStart = performance.now();
  const workerBinDir = opts.simFromSources
    ? join(repoRoot, 'sandbox', 'bin')
    : dirname(await buildSimulator(repoRoot, join(root, 'bin')));
  // The simulator's shebang is `env node`: our Node goes on PATH right after it.
  const pathPrefix = [workerBinDir, dirname(process.execPath)];
  const toolEnv = daemonEnv({ base: process.env, home: root, pathPrefix });

  log(
    `bench: ${opts.quick ? 'quick, ' : ''}${opts.rounds} round(s), ${opts.workers} workers, temp ${root}`,
  );
  const sandbox = await startSandbox({
    node: process.execPath,
    entry: sandboxEntry,
    stateDir: join(root, 'sandbox'),
    env: toolEnv,
  });
  log(`sandbox API on ${sandbox.url}; installing ${opts.theirsSpec} and registering workers…`);
  const [theirs, fleet] = await Promise.all([
    // npm keeps the caller's HOME (and so its cache).
    installPublished({ spec: opts.theirsSpec, prefix: join(root, 'published'), env: process.env }),
    registerFleet(sandbox, opts.workers),
  ]);
  log(`setup done${took(setupStart)}`);
  const binaries: Record<DaemonKind, DaemonBinary> = {
    ours: oursBinary(repoRoot, oursCli),
    theirs,
  };
  const ctx: BenchContext = {
    root,
    sandbox,
    fleet,
    pathPrefix,
    baseEnv: process.env,
    windows: opts.windows,
    logRate: opts.logRate,
    logLineBytes: opts.logLineBytes,
    log,
  };

  const rounds: RoundResult[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    const order = round % 2 === 1 ? [...DAEMON_KINDS] : [...DAEMON_KINDS].reverse();
    log(`round ${round}/${opts.rounds} (${order.join(' first, then ')})`);
    const bareNodeKiB = await bareNodeRssKiB(ctx);
    const empty = {} as Record<DaemonKind, IdleEmpty>;
    const fleetResults = {} as Record<DaemonKind, IdleFleet>;
    const floodResults = {} as Record<DaemonKind, Flood>;
    const cli = {} as Record<DaemonKind, CliStart>;
    const bareNode = await bareNodeStart(ctx);
    for (const k of order) {
      const c = (cli[k] = await cliStart(ctx, binaries[k]));
      log(
        `  ${k} CLI: --version ${Math.round(c.version.wallMs)} ms, --help ${Math.round(c.help.wallMs)} ms ` +
          `(bare node ${Math.round(bareNode.wallMs)} ms)`,
      );
    }
    for (const k of order) {
      const t = performance.now();
      empty[k] = await idleEmpty(ctx, binaries[k]);
      log(
        `  ${k} idle, 0 workers${took(t)}: ready ${Math.round(empty[k].readyMs)} ms, ${toMiB(empty[k].rssKiB).toFixed(1)} MiB`,
      );
    }
    for (const k of order) {
      const t = performance.now();
      const r = (fleetResults[k] = await idleFleet(ctx, binaries[k]));
      log(
        `  ${k} idle, ${opts.workers} workers${took(t)}: running ${Math.round(r.runningMs)} ms, ${toMiB(r.rssKiB).toFixed(1)} MiB, ` +
          `${r.cpuPer60s.toFixed(2)} CPU s/60 s, crash→running ${r.crashToRunningMs.map(Math.round).join('/')} ms, ` +
          `CLI workers ${Math.round(r.cli.workers.wallMs)} ms, logs ${Math.round(r.cli.logs.wallMs)} ms`,
      );
    }
    for (const k of order) {
      const t = performance.now();
      const r = (floodResults[k] = await flood(ctx, binaries[k]));
      log(
        `  ${k} log flood${took(t)}: ${Math.round(r.window.lines / r.window.seconds)} lines/s, ` +
          `${r.window.missing} of ${r.window.offered} lost, peak ${toMiB(r.rss.peakKiB).toFixed(1)} MiB, ` +
          `running ${Math.round(r.runningMs)} ms, ${r.latency.samples.length} GETs (max ${Math.round(Math.max(0, ...r.latency.samples))} ms), ` +
          `stop ${Math.round(r.stop.ms)} ms`,
      );
    }
    rounds.push({
      round,
      order,
      bareNodeKiB,
      empty,
      fleet: fleetResults,
      flood: floodResults,
      bareNode,
      cli,
    });
  }

  await sandbox.close();
  const table = rows(rounds, opts.workers);
  console.log(
    `\n${binaries.ours.name} ${binaries.ours.version} vs ${binaries.theirs.name} ${binaries.theirs.version}, ` +
      `median of ${rounds.length} round(s)${opts.quick ? ' (quick: short windows, indicative only)' : ''}\n`,
  );
  console.log(consoleTable(table));
  const durationS = (Date.now() - startedAt.getTime()) / 1000;
  console.log(`\n${Math.round(durationS)} s`);
  if (opts.json) {
    const file = resolve(repoRoot, opts.json);
    const json = {
      ours: `${binaries.ours.name}@${binaries.ours.version}`,
      theirs: `${binaries.theirs.name}@${binaries.theirs.version}`,
      rounds: rounds.length,
      quick: opts.quick,
      logRate: opts.logRate,
      machine: machineInfo(loadBefore),
      durationS,
      rows: table.map((r) => ({
        name: r.label,
        unit: r.unit,
        ours: r.ours,
        theirs: r.theirs,
        ratio: Number.isFinite(r.ratio) ? r.ratio : null,
        target: r.target || null,
        met: r.met,
      })),
    };
    await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`wrote ${file}`);
  }
  if (opts.out) {
    const file = resolve(repoRoot, opts.out);
    await writeReport(
      {
        rounds,
        workers: opts.workers,
        windows: opts.windows,
        logRate: opts.logRate,
        logLineBytes: opts.logLineBytes,
        binaries,
        machine: machineInfo(loadBefore),
        quick: opts.quick,
        simFromSources: opts.simFromSources,
        repoRoot,
        startedAt,
        durationS,
      },
      file,
    );
    console.log(`wrote ${file}`);
  }
}

main()
  .catch((e: unknown) => {
    log(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  })
  .finally(cleanupSync);
