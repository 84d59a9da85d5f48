// Runs of one worker: the run picker and the selected run's events, updated as the run goes on.
import type { RunSummary } from '../../shared/index.ts';
import { ago, shortId } from '../model/format.ts';
import { runItemText } from '../model/run-text.ts';
import { runTimeline } from '../model/resources.ts';
import { useActions, useApp } from '../store-context.tsx';
import { CopyButton } from './CopyButton.tsx';
import { Modal } from './Modal.tsx';
import { RunEvents } from './RunEvents.tsx';
import { useNow } from './useNow.ts';

export function RunsDrawer() {
  const runs = useApp((s) => s.runs);
  const currentRunId = useApp(
    (s) => s.workers?.find((w) => w.id === s.runs?.workerId)?.currentRunId ?? null,
  );
  const { closeDrawer, selectRun, setRunsFollow, refreshRunsList } = useActions();
  const now = useNow(10_000);
  if (!runs) return null;

  return (
    <Modal
      variant="drawer"
      className="drawer-wide"
      title={`Runs — ${runs.label}`}
      onClose={closeDrawer}
      tools={
        <label className="check">
          <input
            type="checkbox"
            checked={runs.follow}
            onChange={(e) => setRunsFollow(e.target.checked)}
          />
          follow
        </label>
      }
    >
      {runs.list && runs.list.length > 0 && (
        <RunTimeline
          runs={runs.list}
          now={now}
          selected={runs.selectedRunId}
          onSelect={(id) => void selectRun(id)}
        />
      )}
      <div className="runs">
        <nav className="run-list" aria-label="Runs">
          {runs.list === null && !runs.listError && (
            <div className="muted small">
              <span className="spinner" aria-hidden="true" /> loading runs…
            </div>
          )}
          {runs.listError && (
            <div className="inline-notice tone-err" role="alert">
              <span>{runs.listError}</span>
              <button type="button" className="btn small" onClick={() => void refreshRunsList()}>
                Retry
              </button>
            </div>
          )}
          {runs.list?.length === 0 && <div className="empty">no runs on this worker yet</div>}
          {runs.list?.map((r) => (
            <button
              key={r.runId}
              type="button"
              className={`run-item${r.runId === runs.selectedRunId ? ' selected' : ''}`}
              aria-current={r.runId === runs.selectedRunId ? 'true' : undefined}
              onClick={() => void selectRun(r.runId)}
              title={r.runId}
            >
              <span className="mono">{shortId(r.runId, 12)}</span>
              {r.outcome && r.outcome !== 'running' && (
                <span className={`outcome outcome-${r.outcome}`}>{r.outcome}</span>
              )}
              {r.runId === currentRunId && <span className="badge tone-busy">live</span>}
              <span className="muted small">
                {runItemText(r, now)} · {Math.max(1, Math.round(r.bytes / 1024))} KB
              </span>
            </button>
          ))}
        </nav>
        <div className="run-detail">
          {runs.selectedRunId && (
            <div className="run-id muted small">
              run <span className="mono">{runs.selectedRunId}</span>{' '}
              <CopyButton text={runs.selectedRunId} what={`run id ${runs.selectedRunId}`} />
            </div>
          )}
          <RunEvents key={runs.selectedRunId ?? ''} />
        </div>
      </div>
    </Modal>
  );
}

/** The worker's runs on one line, oldest left: succeeded, failed, cancelled, running. */
function RunTimeline({
  runs,
  now,
  selected,
  onSelect,
}: {
  runs: RunSummary[];
  now: number;
  selected: string | null;
  onSelect: (runId: string) => void;
}) {
  const marks = runTimeline(runs, now);
  const oldest = runs.reduce((m, r) => Math.min(m, r.updatedAt), now);
  return (
    <div className="run-timeline" role="group" aria-label="Run history">
      <div className="run-timeline-track">
        {marks.map((m) => (
          <button
            key={m.runId}
            type="button"
            className={`run-mark outcome-${m.outcome}${m.runId === selected ? ' selected' : ''}`}
            style={{ left: `${m.left}%` }}
            title={`${shortId(m.runId, 12)}: ${m.outcome}`}
            aria-label={`Run ${shortId(m.runId, 12)}, ${m.outcome}`}
            onClick={() => onSelect(m.runId)}
          />
        ))}
      </div>
      <div className="run-timeline-axis muted small">
        <span>{ago(oldest, now)}</span>
        <span className="run-timeline-legend">
          <span className="outcome-succeeded">succeeded</span>
          <span className="outcome-failed">failed</span>
          <span className="outcome-cancelled">cancelled</span>
        </span>
        <span>now</span>
      </div>
    </div>
  );
}
