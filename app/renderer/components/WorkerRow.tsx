// One worker: identity, local supervisor state, remote status, version, and what can be done.
import { useEffect, useRef } from 'react';
import {
  drainingText,
  isCrashLooping,
  staleReasonText,
  staleText,
  type FusedWorker,
} from '../../shared/index.ts';
import { ago, duration, hostOf, relativeTime, shortId } from '../model/format.ts';
import { localState, remoteState, upgradeTarget } from '../model/workers.ts';
import { useActions, useApp } from '../store-context.tsx';
import { Badge } from './Badge.tsx';
import { CopyButton } from './CopyButton.tsx';
import { Explain } from './Explain.tsx';
import { RowActions } from './RowActions.tsx';
import { ResourceCell } from './ResourceCell.tsx';
import { RuntimeCell } from './RuntimeCell.tsx';
import { CrashLoopNote, LastEventText, RunHistory } from './WorkerNotes.tsx';
import { useNow } from './useNow.ts';

function LocalCell({ w, now }: { w: FusedWorker; now: number }) {
  const state = localState(w);
  const l = w.local;
  const details: string[] = [];
  if (l?.state === 'running' && l.startedAt !== null)
    details.push(`up ${duration(Math.max(0, now - l.startedAt))}`);
  if (l?.state === 'backing-off' && l.nextRestartAt !== null)
    details.push(`retry ${relativeTime(l.nextRestartAt, now)}`);
  if (l?.lastExit && l.state !== 'running' && l.state !== 'starting') {
    const e = l.lastExit;
    details.push(e.signal ? `exit ${e.signal}` : `exit ${e.code ?? '?'}`);
  }
  return (
    <td className="cell-local" data-label="Local">
      <Badge text={state} tone={isCrashLooping(w) ? 'bad' : undefined} />
      {l && l.restarts > 0 && (
        <Explain className="restarts" text={`${l.restarts} restarts in a row`}>
          ×{l.restarts}
          <span className="sr-only"> restarts</span>
        </Explain>
      )}
      {l?.adopted && (
        <span className="muted small">
          <Explain text="Found running after an orchestrator restart">adopted</Explain>
        </span>
      )}
      {details.length > 0 && <div className="muted small">{details.join(' · ')}</div>}
      <DrainingNote w={w} now={now} />
      <CrashLoopNote w={w} />
    </td>
  );
}

/** "draining: run <id>, <elapsed>" while a stop waits for the run (Force stop ends it now). */
function DrainingNote({ w, now }: { w: FusedWorker; now: number }) {
  const text = drainingText(w, now);
  if (text === null) return null;
  return (
    <div className="muted small draining-note">
      <Explain text="It stops once its run finishes, however long that takes; Force stop ends it now (the run is lost)">
        {text}
      </Explain>
    </div>
  );
}

function RemoteCell({ w, now }: { w: FusedWorker; now: number }) {
  const state = remoteState(w);
  if (state === null)
    return (
      <td className="cell-remote" data-label="Remote">
        <span className="muted" title="No status from PipedAI for this worker">
          —
        </span>
      </td>
    );
  // PipedAI's last word is out of date: grey, never its green "online".
  if (w.remote?.stale)
    return (
      <td className="cell-remote remote-stale" data-label="Remote">
        <Badge text={staleText(w.remote, now)} tone="neutral" />
        <div className="muted small">
          was {state} · {staleReasonText(w.remote.staleReason)}
        </div>
      </td>
    );
  const seen = w.remote?.lastSeenAt ? Date.parse(w.remote.lastSeenAt) : NaN;
  return (
    <td className="cell-remote" data-label="Remote">
      <Badge text={state} />
      <div className="muted small">
        {w.busy && w.currentRunId ? (
          <>
            <span title={w.currentRunId}>run {shortId(w.currentRunId)}</span>{' '}
            <CopyButton text={w.currentRunId} what={`run id ${w.currentRunId}`} className="link" />
          </>
        ) : Number.isFinite(seen) ? (
          `seen ${ago(seen, now)}`
        ) : (
          '—'
        )}
      </div>
    </td>
  );
}

function VersionCell({ w }: { w: FusedWorker }) {
  const target = upgradeTarget(w);
  if (!w.workerVersion)
    return (
      <td className="muted" data-label="Version">
        —
      </td>
    );
  return (
    <td className="version" data-label="Version">
      <span className="mono">v{w.workerVersion}</span>
      {target && (
        <span className="badge tone-warn" title={`v${target} is the latest`}>
          → v{target}
        </span>
      )}
    </td>
  );
}

export function WorkerRow({ worker: w }: { worker: FusedWorker }) {
  const now = useNow(1000);
  const highlighted = useApp((s) => s.highlight === w.id);
  const { openLogs, openRuns } = useActions();
  const ref = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (highlighted) ref.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [highlighted]);

  return (
    <tr
      ref={ref}
      className={highlighted ? 'highlight' : undefined}
      data-worker={w.id}
      tabIndex={-1}
      data-focus-scope
    >
      <td className="cell-worker">
        <div className="label">{w.label}</div>
        <div className="muted small ident" title={w.apiUrl}>
          {hostOf(w.apiUrl)} ·{' '}
          <span className="mono" title={w.id}>
            {shortId(w.id, 12)}
          </span>{' '}
          <CopyButton text={w.id} what={`worker id ${w.id}`} className="link" />
        </div>
        <div className="links">
          <button
            type="button"
            className="link"
            onClick={() => void openLogs(w.id)}
            aria-label={`Logs of ${w.label}`}
          >
            Logs
          </button>
          <button
            type="button"
            className="link"
            onClick={() => void openRuns(w.id)}
            aria-label={`Runs of ${w.label}`}
          >
            Runs
          </button>
        </div>
        <RunHistory w={w} />
      </td>
      <td data-label="Mode">{w.mode}</td>
      <LocalCell w={w} now={now} />
      <RemoteCell w={w} now={now} />
      <VersionCell w={w} />
      <RuntimeCell w={w} />
      <ResourceCell w={w} metric="cpuPercent" now={now} />
      <ResourceCell w={w} metric="rssBytes" now={now} />
      <td data-label="Last event">
        <LastEventText w={w} now={now} />
      </td>
      <RowActions worker={w} />
    </tr>
  );
}
