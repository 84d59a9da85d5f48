// A virtualized list of log lines with a fixed row height: only the rows in view (plus a margin)
// exist in the DOM, so 100 000 lines scroll as smoothly as 100.
import { useLayoutEffect, useRef, useState, type UIEvent } from 'react';
import type { FilteredView } from '../model/log-ring.ts';
import { timeOfDay } from '../model/format.ts';
import { followAfterScroll, highlightParts, visibleRange } from '../model/virtual.ts';

export const LOG_ROW_HEIGHT = 20;
const OVERSCAN = 30;

interface LogViewProps {
  view: FilteredView;
  count: number;
  rev: number;
  search: string;
  follow: boolean;
  onFollowChange: (follow: boolean) => void;
}

export function LogView({ view, count, rev, search, follow, onFollowChange }: LogViewProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !follow) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [follow, count, rev, height]);

  const onScroll = (e: UIEvent<HTMLDivElement>): void => {
    const el = e.currentTarget;
    setScrollTop(el.scrollTop);
    const f = followAfterScroll(el.scrollTop, el.scrollHeight, el.clientHeight);
    if (f !== follow) onFollowChange(f);
  };

  const { start, end } = visibleRange({
    scrollTop,
    viewportHeight: height,
    rowHeight: LOG_ROW_HEIGHT,
    count,
    overscan: OVERSCAN,
  });
  const rows = [];
  for (let i = start; i < end; i++) {
    const line = view.lineAt(i);
    if (!line) continue;
    rows.push(
      <div
        key={i}
        className={`log-line${line.stream === 'err' ? ' err' : ''}`}
        style={{ top: i * LOG_ROW_HEIGHT, height: LOG_ROW_HEIGHT }}
      >
        <time className="ts" dateTime={new Date(line.ts).toISOString()}>
          {timeOfDay(line.ts)}
        </time>
        <span className="text">
          {highlightParts(line.line, search).map((p, k) =>
            p.hit ? <mark key={k}>{p.text}</mark> : <span key={k}>{p.text}</span>,
          )}
        </span>
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className="log-view"
      onScroll={onScroll}
      tabIndex={0}
      role="log"
      aria-label="Log lines"
    >
      <div className="log-spacer" style={{ height: count * LOG_ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}
