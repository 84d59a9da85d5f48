// A worker's CPU or memory: the figure, and under it a sparkline of its last ten minutes.
import { bytesText, cpuText, resourceCells, type FusedWorker } from '../../shared/index.ts';
import { sparkPoints, type ResourceMetric } from '../model/resources.ts';
import { useApp } from '../store-context.tsx';

const WIDTH = 72;
const HEIGHT = 18;

export function ResourceCell({
  w,
  metric,
  now,
}: {
  w: FusedWorker;
  metric: ResourceMetric;
  now: number;
}) {
  const resources = useApp((s) => s.resources);
  const cells = resourceCells(w);
  const text = metric === 'cpuPercent' ? cells.cpu : cells.mem;
  const points = w.resources
    ? sparkPoints(resources.samples, w.id, metric, {
        now,
        windowMs: resources.windowMs,
        width: WIDTH,
        height: HEIGHT,
      })
    : '';
  const what = metric === 'cpuPercent' ? 'CPU' : 'Memory';
  const title =
    text === 'n/a'
      ? 'This OS gives no per-process figures to the orchestrator'
      : `${what} of the worker and its children (the runs), last 10 minutes`;
  return (
    <td className="resource" title={title} data-label={what}>
      <div className={text === '—' || text === 'n/a' ? 'muted' : 'mono'}>{text}</div>
      {points !== '' && (
        <svg
          className="spark"
          width={WIDTH}
          height={HEIGHT}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-label={`${what} of ${w.label} over the last 10 minutes`}
        >
          <polyline points={points} />
        </svg>
      )}
    </td>
  );
}

/** The host's totals over its workers, for the header. */
export function HostTotals() {
  const last = useApp((s) => s.resources.samples.at(-1) ?? null);
  const available = useApp((s) => s.resources.available);
  const running = useApp((s) => s.workers?.some((w) => w.local?.pid != null) ?? false);
  if (!running) return null;
  return (
    <span
      className="host-totals muted small"
      title="CPU and memory of every worker's process tree on this host"
    >
      workers:{' '}
      {available && last
        ? `CPU ${cpuText(last.totals.cpuPercent)} · ${bytesText(last.totals.rssBytes)}`
        : 'CPU n/a · memory n/a'}
    </span>
  );
}
