// The selected run's events, typed: text, `🔧 tool(input…)`, `↩ result`, errors in red. Only the
// newest events are in the DOM (more on request), so a long run stays light.
import { useLayoutEffect, useRef, useState, type UIEvent } from 'react';
import { eventText, eventTone } from '../model/run-text.ts';
import { timeOfDay, toEpochMs } from '../model/format.ts';
import { followAfterScroll } from '../model/virtual.ts';
import { useActions, useApp } from '../store-context.tsx';

/** Events rendered at first, and added by each "show earlier". */
export const EVENTS_PAGE = 1000;

export function RunEvents() {
  const runs = useApp((s) => s.runs);
  const { setRunsFollow } = useActions();
  const ref = useRef<HTMLOListElement>(null);
  const count = runs?.events.length ?? 0;
  const follow = runs?.follow ?? false;
  const [shown, setShown] = useState(EVENTS_PAGE);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [count, follow]);

  if (!runs) return null;
  const onScroll = (e: UIEvent<HTMLOListElement>): void => {
    const el = e.currentTarget;
    const f = followAfterScroll(el.scrollTop, el.scrollHeight, el.clientHeight);
    if (f !== runs.follow) setRunsFollow(f);
  };

  if (!runs.selectedRunId) return <div className="run-events empty">select a run</div>;
  if (runs.eventsLoading)
    return (
      <div className="run-events empty" aria-busy="true">
        <span className="spinner" aria-hidden="true" /> loading events…
      </div>
    );
  if (runs.eventsError)
    return (
      <div className="run-events">
        <div className="inline-notice tone-err" role="alert">
          Could not load the events: {runs.eventsError}
        </div>
      </div>
    );
  if (count === 0) return <div className="run-events empty">no events yet for this run</div>;

  const hidden = Math.max(0, count - shown);
  return (
    // Focusable, so a keyboard can scroll it (it holds no control of its own most of the time).
    <ol ref={ref} className="run-events" aria-label="Run events" onScroll={onScroll} tabIndex={0}>
      {runs.truncated > 0 && hidden === 0 && (
        <li className="muted small">… {runs.truncated} earlier events not kept here</li>
      )}
      {hidden > 0 && (
        <li>
          <button
            type="button"
            className="btn small"
            onClick={() => {
              setRunsFollow(false);
              setShown((n) => n + EVENTS_PAGE);
            }}
          >
            Show {Math.min(hidden, EVENTS_PAGE)} earlier events ({hidden} hidden)
          </button>
        </li>
      )}
      {runs.events.slice(hidden).map((ev) => {
        const ms = toEpochMs(ev.ts);
        return (
          <li key={ev.seq} className={`event ev-${eventTone(ev)}`}>
            <span className="seq">#{ev.seq}</span>
            <span className="type">{ev.type}</span>
            {ms !== null && <time className="ts">{timeOfDay(ms)}</time>}
            <div className="text">{eventText(ev)}</div>
          </li>
        );
      })}
    </ol>
  );
}
