// Turns the rounds into the ratio table (console and markdown) and writes docs/benchmarks.md,
// keeping its hand-written analysis section across runs.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release } from 'node:os';
import { relative } from 'node:path';
import type { DaemonBinary } from './daemons.ts';
import { metrics, rows, type RoundResult, type Row } from './metrics.ts';
import type { Windows } from './scenarios.ts';

const fmt = (v: number, digits: number): string =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—';
const fmtRatio = (v: number): string => {
  if (!Number.isFinite(v)) return '—';
  if (v === 0) return '0×';
  return v < 0.1 ? `${v.toPrecision(2)}×` : `${v.toFixed(2)}×`;
};
const verdict = (r: Row): string => (r.met === null ? '' : r.met ? 'met' : 'MISSED');

export function consoleTable(table: Row[]): string {
  const head = ['metric', 'unit', 'ours', 'theirs', 'ours/theirs', 'target', ''];
  const body = table.map((r) => [
    r.label.replaceAll('`', ''),
    r.unit,
    fmt(r.ours, r.digits),
    fmt(r.theirs, r.digits),
    fmtRatio(r.ratio),
    r.target,
    verdict(r),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function markdownTable(table: Row[]): string {
  const out = [
    '| Metric | Unit | Ours | Published 0.7.1 | Ours / published | Target | |',
    '|---|---|--:|--:|--:|---|---|',
  ];
  for (const r of table) {
    out.push(
      `| ${r.label} | ${r.unit} | ${fmt(r.ours, r.digits)} | ${fmt(r.theirs, r.digits)} | ${fmtRatio(r.ratio)} | ${r.target} | ${r.met === null ? '' : r.met ? '✅ met' : '❌ missed'} |`,
    );
  }
  return out.join('\n');
}

function perRoundTable(rounds: RoundResult[], workers: number): string {
  const ms = metrics(workers);
  const head = ['Metric', ...rounds.flatMap((r) => [`R${r.round} ours`, `R${r.round} theirs`])];
  const out = [`| ${head.join(' | ')} |`, `|---|${rounds.map(() => '--:|--:|').join('')}`];
  for (const m of ms) {
    const cells = rounds.flatMap((r) => [
      fmt(m.value(r, 'ours'), m.digits),
      fmt(m.value(r, 'theirs'), m.digits),
    ]);
    out.push(`| ${m.label} (${m.unit}) | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memory: string;
  kernel: string;
  node: string;
  loadBefore: number[];
  loadAfter: number[];
}

export function machineInfo(loadBefore: number[]): MachineInfo {
  let memory = '?';
  try {
    memory = execFileSync('free', ['-h'], { encoding: 'utf8' }).trim();
  } catch {
    // not on this system
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memory,
    kernel: `Linux ${release()}`,
    node: process.version,
    loadBefore,
    loadAfter: loadavg(),
  };
}

const ANALYSIS_START = '<!-- analysis:start -->';
const ANALYSIS_END = '<!-- analysis:end -->';
const ANALYSIS_PLACEHOLDER = `${ANALYSIS_START}
_No analysis written yet: for each missed target, say why and what would close it._
${ANALYSIS_END}`;

/** The hand-written part of an existing report, kept when the numbers are regenerated. */
function keptAnalysis(file: string): string {
  if (!existsSync(file)) return ANALYSIS_PLACEHOLDER;
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(ANALYSIS_START);
  const b = text.indexOf(ANALYSIS_END);
  return a >= 0 && b > a ? text.slice(a, b + ANALYSIS_END.length) : ANALYSIS_PLACEHOLDER;
}

export interface ReportInput {
  rounds: RoundResult[];
  workers: number;
  windows: Windows;
  logRate: number;
  logLineBytes: number;
  binaries: Record<'ours' | 'theirs', DaemonBinary>;
  machine: MachineInfo;
  quick: boolean;
  simFromSources: boolean;
  repoRoot: string;
  startedAt: Date;
  durationS: number;
}

const plain = (label: string): string => label.replaceAll('`', '');

function stopsLine(rounds: RoundResult[]): string {
  return rounds
    .flatMap((r) =>
      (['ours', 'theirs'] as const).map((k) => {
        const stops = [r.empty[k].stop, r.fleet[k].stop, r.flood[k].stop];
        const strays = stops.reduce((a, st) => a + st.strays, 0);
        const forced = stops.filter((st) => !st.graceful).length;
        return `R${r.round} ${k}: ${forced} forced, ${strays} stray worker(s)`;
      }),
    )
    .join('; ');
}

function method(input: ReportInput): string {
  const { windows: w, workers: n, machine: m } = input;
  const s = (ms: number) => `${ms / 1000} s`;
  const offered = (input.logRate * n).toLocaleString('en-US');
  return `- **Setup.** The sandbox API (\`dist/sandbox.js\`) runs for the whole bench. The worker
  simulator goes first on \`PATH\` as \`pipedai-worker\`: ${
    input.simFromSources
      ? '`sandbox/bin/pipedai-worker`, run from its TypeScript sources'
      : 'built once into one file by esbuild from `sandbox/worker` (the code `sandbox/bin/pipedai-worker` runs; a real worker ships as built JavaScript too, and 20 type-stripping starts would otherwise dominate every start figure; `--sim-sources` uses the sources)'
  }. ${n} workspace workers are registered once at the sandbox's worker register endpoint with
  one-time \`wrk_\` tokens, each config written as the simulator's \`register\` writes it; an
  operator \`pwk_\` token makes both daemons poll the worker list and hold one event stream per
  worker, as in production. Every measurement starts a fresh daemon on a fresh copy of the state
  folder (contract §4: \`manifest.json\`, \`credentials.json\` with one \`oct_\` token,
  \`workers/<slug>.json\`). The published daemon finds it through \`HOME\` (it has no state-root
  override), ours through \`PIPEDAI_HOME\`; otherwise both get the same environment, \`--port\`
  set to a free port, stdout to /dev/null (both echo worker lines there) and stderr to a file.
- **Same runtime.** Both daemons, the simulator and the bench run on one Node (${m.node}). The
  issue mentions the published daemon running on Node 20 on some hosts, but its package declares
  \`node >= 22\`, and one runtime keeps the runtime out of the ratio.
- **Alternation.** Each round runs every phase for both daemons back to back; the order flips
  every round (round 1 ours first, round 2 theirs first, …) so drifting background load hits both
  alike. A bare \`node -e 'setInterval(…)'\` is measured in each round as the floor.
- **Memory.** \`VmRSS\` of the daemon process from \`/proc/<pid>/status\` (workers are separate
  processes and not included), the median of several reads. 0 workers: ${s(w.settleMs)} after
  the API first answers. ${n} workers: during the idle CPU window below. "Above bare node"
  subtracts the bare process of the same round; "daemon + workers" sums the daemon and all its
  descendants.
- **Idle CPU.** On-CPU time of all the daemon's threads (\`/proc/<pid>/task/*/schedstat\`,
  nanoseconds) over ${s(w.idleCpuMs)}${w.idleCpuMs === 60_000 ? '' : ' scaled to 60 s'}, starting ${s(
    w.settleMs,
  )} after every worker reached the API. The ${n} workers idle: a heartbeat every 5 s, a claim
  every 2 s, no runs queued. The daemons do their own periodic work in that time (the worker
  list every 15 s, connectivity probes every 20 s, SSE keep-alives).
- **Log throughput.** The workers print numbered chatter (\`PIPEDAI_SIM_LOG_RATE=${input.logRate}\`
  lines/s each, ${input.logLineBytes} bytes a line: ${offered} lines/s offered). One WebSocket
  client on \`/api/events\` counts the lines it receives (ours batches them in \`logs\` frames,
  the published daemon sends one \`log\` frame each) over ${s(w.logMs)} after ${s(
    w.logWarmupMs,
  )} of warm-up. Lost lines are the gaps in each worker's numbering between the first and last
  line the client saw, wherever they were lost (the worker dropping chatter while its pipe was
  full, the daemon, the socket). The daemon's CPU time over the window divided by the lines
  delivered gives its cost per line: on a 2-core machine that also runs the ${n} simulators the
  offered load cannot go much higher, so lines/s measures the load more than the daemon, and
  the cost per line is the fairer capacity figure. Peak RSS and growth come from \`VmRSS\` read
  every 200 ms over the window.
- **Start.** From the spawn of \`<cli> start --port <p>\` to: the first 200 of \`GET
  /api/workers\` (polled every 10 ms); a process existing for every worker config (the daemon's
  own share of the start); and every worker's first heartbeat at the API (polled every 25 ms), so
  a worker counts as running once it talks to the API, whatever the daemon reports. The CPU time
  the daemon had used when its API first answered (0 workers) is the start cost that does not
  depend on how busy the machine is.
- **Latency.** \`GET /api/workers\` in a loop (20 ms between requests) from a worker thread of the
  bench, so frame counting on the main thread does not delay it: ${s(
    w.idleLatencyMs,
  )} with idle workers, and over the log window under the flood. Per round p50/p99 (nearest rank).
- **Crash recovery.** ${w.crashes} time(s) per round a worker process is SIGKILLed (an exit the
  daemon did not ask for); the time runs until a new process for the same config exists and the
  API has its first heartbeat. Both daemons wait 1 s before a first restart (contract §5.2), so
  this is mostly that backoff plus a worker start.
- **CLI start.** Spawn → exit of one CLI command (wall clock, and peak RSS from GNU \`time\`),
  the median of ${w.cliRuns} runs after one warm-up run (so ours finds its compile cache), with
  bare \`node -e 0\` as the floor: \`--version\` and \`--help\` on an empty home; \`workers --json\`
  and \`logs <id> --tail 100\` against the idle ${n}-worker daemon. The published CLI has no
  \`workers\` or \`logs\`: both rows time its \`upgrade <unknown label> --port <p>\`, the same round
  trip (GET /api/workers, print, exit 1). Ours proves the daemon first (a challenge and an HMAC,
  a second request) and checks its owner record, the published CLI does neither.
- **Shutdown and clean-up.** Each daemon is stopped with SIGTERM and drains its workers; the
  time to its exit is reported for the idle ${n}-worker case, and any worker still alive after its
  daemon exited is counted (stray) and killed. On exit or Ctrl-C the bench kills every process it
  started and every process whose argv mentions its temp folder.`;
}

export function markdownReport(input: ReportInput, file: string): string {
  const { workers: n, machine: m } = input;
  const table = rows(input.rounds, n);
  const judged = table.filter((r) => r.met !== null);
  const missed = judged.filter((r) => r.met === false);
  const ours = input.binaries.ours;
  const theirs = input.binaries.theirs;
  return `# Benchmarks: ours vs the published daemon

<!-- Generated by \`npm run bench\` (bench/). Only the analysis between the analysis markers is
     written by hand; it is kept when the report is regenerated. -->

${ours.name} ${ours.version} (\`${relative(input.repoRoot, ours.cli)}\`) against ${theirs.name}
${theirs.version} from the npm registry, on the same sandbox API with the worker simulator as
\`pipedai-worker\`. Run of ${input.startedAt.toISOString()}: ${input.rounds.length} round(s)${
    input.quick ? ' in **quick** mode (short windows, indicative only)' : ''
  }, ${Math.round(input.durationS / 60)} min in all. Each figure is the median over the rounds;
the ratio is ours / published, so below 1 is better for us except for log lines/s.

${markdownTable(table)}

Targets (reported, not asserted): ${judged
    .map((r) => `${plain(r.label)} ${r.target} (${r.met ? 'met' : 'missed'})`)
    .join('; ')}.
${
  missed.length === 0
    ? 'Every target was met in this run.'
    : `Missed in this run: ${missed.map((r) => plain(r.label)).join('; ')}. The analysis below says why and what would close each.`
}

## Analysis

${keptAnalysis(file)}

## Machine

| | |
|---|---|
| CPU | ${m.cpuModel} |
| Cores (\`nproc\`) | ${m.cores} |
| Kernel | ${m.kernel} |
| Node (both daemons, the simulator, the bench) | ${m.node} |
| Load average before / after (1, 5, 15 min) | ${m.loadBefore.map((x) => x.toFixed(2)).join(', ')} / ${m.loadAfter.map((x) => x.toFixed(2)).join(', ')} |

\`\`\`
${m.memory}
\`\`\`

Other work may have been running on this machine during the run (the load average hints at how
much). The figures that depend on the scheduler (CPU time, start times, latency, throughput) are
the noisiest; memory is the steadiest. Re-run on a quiet machine for release numbers.

## Method

${method(input)}

## How to reproduce

\`\`\`sh
source scripts/use-node22.sh     # Node 22 first on PATH
npm run build                    # dist/cli.js and dist/sandbox.js
npm run bench                    # full run: 3 rounds, 60 s idle CPU windows (~15 min); rewrites this file
npm run bench -- --quick         # 1 round, short windows, under a minute; prints the table only
npm run bench -- --quick --log-rate 20000 --json out.json   # saturation: 400 000 lines/s offered
node bench/spawn-heap.ts         # spawning 20 workers from a small and a ~150 MiB heap
\`\`\`

Flags: \`--rounds N\`, \`--out FILE\`, \`--no-write\`, \`--json FILE\` (every row: name, unit, ours,
theirs, ratio, target, met), \`--log-rate N\` (lines/s per worker),
\`--ours-cli PATH\` (another build of ours), \`--theirs @pipedai/orchestrator@<version>\`,
\`--sim-sources\`. The published package is installed fresh on every run with \`npm install
--prefix <temp> --no-save --no-audit --no-fund @pipedai/orchestrator@0.7.1\`.

## Per round

${perRoundTable(input.rounds, n)}

Daemon stops: ${stopsLine(input.rounds)}.
`;
}

export async function writeReport(input: ReportInput, file: string): Promise<void> {
  await writeFile(file, markdownReport(input, file));
}
