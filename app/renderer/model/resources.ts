// What the dashboard draws from the resource sampler: a worker's last ten minutes as sparkline
// points, the host's totals, and a worker's runs as a timeline.
import type { ResourceSample, RunOutcome, RunSummary } from '../../shared/index.ts';

/** Samples kept: ten minutes at the daemon's 5 s interval, with room. */
export const MAX_SAMPLES = 150;

/** Add a frame's sample: in time order, one per instant, the oldest past the window dropped. */
export function addResourceSample(
  samples: readonly ResourceSample[],
  sample: ResourceSample,
  windowMs: number,
): ResourceSample[] {
  const kept = samples.filter((s) => s.at < sample.at && s.at >= sample.at - windowMs);
  kept.push(sample);
  return kept.slice(-MAX_SAMPLES);
}

export type ResourceMetric = 'cpuPercent' | 'rssBytes';

/**
 * SVG polyline points of one worker's metric over its last windowMs in a width × height box (time
 * left to right, from its first sample in the window to now; zero at the bottom); '' with fewer
 * than two points.
 */
export function sparkPoints(
  samples: readonly ResourceSample[],
  id: string,
  metric: ResourceMetric,
  opts: { now: number; windowMs: number; width: number; height: number },
): string {
  const points = samples.flatMap((s) => {
    const use = s.workers[id];
    return use && s.at >= opts.now - opts.windowMs ? [{ at: s.at, v: use[metric] }] : [];
  });
  if (points.length < 2) return '';
  // CPU is drawn against at least one core; memory against its own peak.
  const top = Math.max(metric === 'cpuPercent' ? 100 : 1, ...points.map((p) => p.v));
  const from = Math.max(opts.now - opts.windowMs, points[0]!.at);
  const span = Math.max(1, opts.now - from);
  const x = (at: number) => ((at - from) / span) * opts.width;
  const y = (v: number) => opts.height - (v / top) * (opts.height - 1) - 0.5;
  return points.map((p) => `${round(x(p.at))},${round(y(p.v))}`).join(' ');
}

const round = (n: number): number => Math.round(n * 10) / 10;

export interface TimelineMark {
  runId: string;
  outcome: RunOutcome;
  /** Left edge, 0–100 (% of the timeline), oldest run on the left. */
  left: number;
}

/** The runs (newest first, as listed) as marks on a timeline from the oldest to now. */
export function runTimeline(runs: readonly RunSummary[], now: number): TimelineMark[] {
  if (runs.length === 0) return [];
  const oldest = Math.min(...runs.map((r) => r.updatedAt));
  const span = Math.max(1, now - oldest);
  return [...runs]
    .sort((a, b) => a.updatedAt - b.updatedAt)
    .map((r) => ({
      runId: r.runId,
      outcome: r.outcome ?? 'running',
      left: round(((r.updatedAt - oldest) / span) * 100),
    }));
}
