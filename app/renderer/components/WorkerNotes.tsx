// Small parts of a worker's row: a crash loop's last stderr line with its logs, the last event
// in plain words with its age, and its recent runs.
import { isCrashLooping, type FusedWorker } from '../../shared/index.ts';
import { eventTypeText, runCounts } from '../model/attention.ts';
import { ago } from '../model/format.ts';
import { useActions } from '../store-context.tsx';

/** A crash loop, in red: the last thing it said on stderr, and its logs one click away. */
export function CrashLoopNote({ w }: { w: FusedWorker }) {
  const { openLogs } = useActions();
  if (!isCrashLooping(w)) return null;
  return (
    <div className="crash-note">
      <span className="crash-title">Crash loop</span>
      {w.lastStderr ? (
        <code className="crash-line">{w.lastStderr.line}</code>
      ) : (
        <span> — nothing on stderr</span>
      )}
      <button
        type="button"
        className="link"
        onClick={() => void openLogs(w.id)}
        aria-label={`View logs of ${w.label}`}
      >
        View logs
      </button>
    </div>
  );
}

/** "run finished · 12s ago" */
export function LastEventText({ w, now }: { w: FusedWorker; now: number }) {
  if (!w.lastEvent) return <span className="muted">—</span>;
  const at = Date.parse(w.lastEvent.at);
  return (
    <span>
      {eventTypeText(w.lastEvent.type)}
      {Number.isFinite(at) && <span className="muted small"> · {ago(at, now)}</span>}
    </span>
  );
}

/** Its latest runs as dots (newest first) and the counts: "8 succeeded · 1 failed". */
export function RunHistory({ w }: { w: FusedWorker }) {
  const runs = w.recentRuns ?? [];
  if (runs.length === 0) return null;
  const counts = runCounts(runs);
  return (
    <div className="run-dots" aria-label={`Latest runs of ${w.label}: ${counts}`}>
      {runs.map((o, i) => (
        <span key={i} className={`run-dot outcome-${o}`} aria-hidden="true" />
      ))}
      <span className="muted">{counts}</span>
    </div>
  );
}
