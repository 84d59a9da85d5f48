// What the table reports: each metric as a function of one round's results, medians over the
// rounds, and the ours/theirs ratio judged against the targets.
import type { DaemonKind } from './daemons.ts';
import { median, percentile, toMiB } from './measure.ts';
import type { CliTiming } from './cli-start.ts';
import type { CliStart, Flood, IdleEmpty, IdleFleet } from './scenarios.ts';

export interface RoundResult {
  round: number;
  order: DaemonKind[];
  bareNodeKiB: number;
  empty: Record<DaemonKind, IdleEmpty>;
  fleet: Record<DaemonKind, IdleFleet>;
  flood: Record<DaemonKind, Flood>;
  /** `node -e 0`, the floor of every CLI row. */
  bareNode: CliTiming;
  cli: Record<DaemonKind, CliStart>;
}

interface Metric {
  label: string;
  unit: string;
  digits: number;
  better: 'lower' | 'higher';
  value: (r: RoundResult, k: DaemonKind) => number;
  /** A goal on ours/theirs (reported, never asserted). */
  target?: number;
  /** A goal on ours itself, in the metric's unit (reported, never asserted). */
  limit?: number;
}

const lat = (samples: number[], p: number): number => percentile(samples, p);

export function metrics(workers: number): Metric[] {
  const rss0 = (r: RoundResult, k: DaemonKind) => toMiB(r.empty[k].rssKiB);
  const rssN = (r: RoundResult, k: DaemonKind) => toMiB(r.fleet[k].rssKiB);
  return [
    {
      label: 'Bare `node` process RSS',
      unit: 'MiB',
      digits: 1,
      better: 'lower',
      value: (r) => toMiB(r.bareNodeKiB),
    },
    { label: 'Daemon RSS, idle, 0 workers', unit: 'MiB', digits: 1, better: 'lower', value: rss0 },
    {
      label: `Daemon RSS, idle, ${workers} workers`,
      unit: 'MiB',
      digits: 1,
      better: 'lower',
      value: rssN,
    },
    {
      label: 'RSS above bare node, 0 workers',
      unit: 'MiB',
      digits: 1,
      better: 'lower',
      value: (r, k) => rss0(r, k) - toMiB(r.bareNodeKiB),
    },
    {
      label: `RSS above bare node, ${workers} workers`,
      unit: 'MiB',
      digits: 1,
      better: 'lower',
      value: (r, k) => rssN(r, k) - toMiB(r.bareNodeKiB),
      target: 0.5,
    },
    {
      label: `Daemon + workers RSS, ${workers} workers`,
      unit: 'MiB',
      digits: 0,
      better: 'lower',
      value: (r, k) => toMiB(r.fleet[k].treeRssKiB),
    },
    {
      label: `CPU per 60 s idle, ${workers} workers`,
      unit: 's',
      digits: 2,
      better: 'lower',
      value: (r, k) => r.fleet[k].cpuPer60s,
      target: 0.5,
    },
    {
      label: `Log lines/s to one WebSocket client (${workers} chatty workers)`,
      unit: 'lines/s',
      digits: 0,
      better: 'higher',
      value: (r, k) => r.flood[k].window.lines / r.flood[k].window.seconds,
      target: 5,
    },
    {
      label: 'Daemon CPU per 1,000 log lines delivered',
      unit: 'ms',
      digits: 1,
      better: 'lower',
      value: (r, k) => (1000 * 1000 * r.flood[k].cpuSeconds) / Math.max(1, r.flood[k].window.lines),
    },
    {
      label: 'Log lines lost (share of lines numbered)',
      unit: '%',
      digits: 1,
      better: 'lower',
      value: (r, k) => {
        const w = r.flood[k].window;
        return w.offered === 0 ? 0 : (100 * w.missing) / w.offered;
      },
    },
    {
      label: 'Log lines the daemon dropped for a slow client (its `dropped` notice)',
      unit: 'lines',
      digits: 0,
      better: 'lower',
      value: (r, k) => r.flood[k].window.droppedNotice,
    },
    {
      label: 'Daemon peak RSS during the log flood',
      unit: 'MiB',
      digits: 1,
      better: 'lower',
      value: (r, k) => toMiB(r.flood[k].rss.peakKiB),
      target: 1,
    },
    {
      label: 'Daemon RSS growth over the log window',
      unit: 'MiB',
      digits: 1,
      better: 'lower',
      value: (r, k) => toMiB(r.flood[k].rss.lastKiB - r.flood[k].rss.firstKiB),
    },
    {
      label: '`start` → control API ready, 0 workers',
      unit: 'ms',
      digits: 0,
      better: 'lower',
      value: (r, k) => r.empty[k].readyMs,
    },
    {
      label: 'CPU time until the control API is ready, 0 workers',
      unit: 'ms',
      digits: 0,
      better: 'lower',
      value: (r, k) => 1000 * r.empty[k].readyCpuS,
    },
    {
      label: `\`start\` → control API ready, ${workers} workers`,
      unit: 'ms',
      digits: 0,
      better: 'lower',
      value: (r, k) => r.fleet[k].readyMs,
    },
    {
      label: `\`start\` → ${workers} worker processes spawned`,
      unit: 'ms',
      digits: 0,
      better: 'lower',
      value: (r, k) => r.fleet[k].spawnedMs,
    },
    {
      label: `\`start\` → ${workers} workers running`,
      unit: 'ms',
      digits: 0,
      better: 'lower',
      value: (r, k) => r.fleet[k].runningMs,
      target: 0.5,
    },
    {
      label: 'GET /api/workers p50, idle',
      unit: 'ms',
      digits: 2,
      better: 'lower',
      value: (r, k) => lat(r.fleet[k].latency.samples, 50),
    },
    {
      label: 'GET /api/workers p99, idle',
      unit: 'ms',
      digits: 2,
      better: 'lower',
      value: (r, k) => lat(r.fleet[k].latency.samples, 99),
    },
    {
      label: 'GET /api/workers p50, under the log flood',
      unit: 'ms',
      digits: 2,
      better: 'lower',
      value: (r, k) => lat(r.flood[k].latency.samples, 50),
    },
    {
      label: 'GET /api/workers p99, under the log flood',
      unit: 'ms',
      digits: 2,
      better: 'lower',
      value: (r, k) => lat(r.flood[k].latency.samples, 99),
      limit: 50,
    },
    {
      label: `SIGTERM → daemon exited, ${workers} idle workers drained`,
      unit: 'ms',
      digits: 0,
      better: 'lower',
      value: (r, k) => r.fleet[k].stop.ms,
    },
    {
      label: 'Worker crash → replacement running',
      unit: 'ms',
      digits: 0,
      better: 'lower',
      value: (r, k) => median(r.fleet[k].crashToRunningMs),
    },
    ...cliMetrics(),
  ];
}

/**
 * CLI start, spawn → exit: each command against bare `node -e 0` (its "theirs" is the bare
 * figure) and against the published CLI. The published CLI has no `workers` or `logs`; its
 * `upgrade <unknown label>` does the same round trip (GET /api/workers, print, exit).
 */
function cliMetrics(): Metric[] {
  const wall = (pick: (r: RoundResult, k: DaemonKind) => CliTiming) => ({
    unit: 'ms',
    digits: 0,
    better: 'lower' as const,
    value: (r: RoundResult, k: DaemonKind) => pick(r, k).wallMs,
  });
  const vsBare = (pick: (r: RoundResult) => CliTiming) => ({
    unit: 'ms',
    digits: 0,
    better: 'lower' as const,
    value: (r: RoundResult, k: DaemonKind) => (k === 'ours' ? pick(r) : r.bareNode).wallMs,
  });
  return [
    {
      label: 'CLI `--version` wall, ours vs bare `node -e 0`',
      ...vsBare((r) => r.cli.ours.version),
      target: 1.5,
    },
    { label: 'CLI `--version` wall', ...wall((r, k) => r.cli[k].version) },
    {
      label: 'CLI `--version` peak RSS',
      unit: 'MiB',
      digits: 1,
      better: 'lower',
      value: (r, k) => toMiB(r.cli[k].version.maxRssKiB),
    },
    {
      label: 'CLI `--help` wall, ours vs bare `node -e 0`',
      ...vsBare((r) => r.cli.ours.help),
      target: 1.5,
    },
    { label: 'CLI `--help` wall', ...wall((r, k) => r.cli[k].help) },
    {
      label: 'CLI `workers --json` wall, ours vs bare `node -e 0`',
      ...vsBare((r) => r.fleet.ours.cli.workers),
    },
    {
      label: 'CLI `workers --json` wall (published: `upgrade <label>`)',
      ...wall((r, k) => r.fleet[k].cli.workers),
      target: 0.5,
    },
    {
      label: 'CLI `logs <id>` wall, ours vs bare `node -e 0`',
      ...vsBare((r) => r.fleet.ours.cli.logs),
    },
    {
      label: 'CLI `logs <id>` wall (published: `upgrade <label>`)',
      ...wall((r, k) => r.fleet[k].cli.logs),
    },
  ];
}

export interface Row {
  label: string;
  unit: string;
  ours: number;
  theirs: number;
  ratio: number;
  target: string;
  met: boolean | null;
  digits: number;
}

export function rows(rounds: RoundResult[], workers: number): Row[] {
  return metrics(workers).map((m) => {
    const ours = median(rounds.map((r) => m.value(r, 'ours')));
    const theirs = median(rounds.map((r) => m.value(r, 'theirs')));
    const ratio = theirs === 0 ? NaN : ours / theirs;
    let met: boolean | null = null;
    let target = '';
    if (m.limit !== undefined) {
      target = `${m.better === 'lower' ? '≤' : '≥'} ${m.limit} ${m.unit}`;
      met = m.better === 'lower' ? ours <= m.limit : ours >= m.limit;
    } else if (m.target !== undefined) {
      target = `${m.better === 'lower' ? '≤' : '≥'} ${m.target}×`;
      // No ratio (the published figure is 0): nothing to judge.
      if (Number.isFinite(ratio))
        met = m.better === 'lower' ? ratio <= m.target : ratio >= m.target;
    }
    return { label: m.label, unit: m.unit, ours, theirs, ratio, target, met, digits: m.digits };
  });
}
