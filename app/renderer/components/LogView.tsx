// A virtualized list of log lines with a fixed row height: only the rows in view (plus a margin)
// exist in the DOM, so 100 000 lines scroll as smoothly as 100. Wrapped, a line takes as many rows
// as its text needs at the view's width (model/log-wrap.ts), still windowed.
import { useLayoutEffect, useMemo, useRef, useState, type UIEvent } from 'react';
import type { FilteredView } from '../model/log-ring.ts';
import { timeOfDay } from '../model/format.ts';
import { RowOffsets, wrappedRows } from '../model/log-wrap.ts';
import { followAfterScroll, highlightParts, visibleRange } from '../model/virtual.ts';

export const LOG_ROW_HEIGHT = 20;
const OVERSCAN = 30;
/** Horizontal padding of a line (both sides) and the gap after its time, in px (drawers.css),
 * and one for rounding: a row never holds fewer characters than counted. */
const LINE_CHROME_PX = 31;
/** `HH:MM:SS`, the time column. */
const TIME_COLUMNS = 8;
const PROBE = '0'.repeat(20);

interface LogViewProps {
  view: FilteredView;
  count: number;
  rev: number;
  search: string;
  follow: boolean;
  onFollowChange: (follow: boolean) => void;
  /** Lines wrap at the view's width instead of scrolling sideways. */
  wrap: boolean;
}

export function LogView({ view, count, rev, search, follow, onFollowChange, wrap }: LogViewProps) {
  const ref = useRef<HTMLDivElement>(null);
  const probe = useRef<HTMLSpanElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  /** Characters of text a wrapped row holds (0 until measured). */
  const [columns, setColumns] = useState(0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = (): void => {
      setHeight(el.clientHeight);
      const charPx = (probe.current?.getBoundingClientRect().width ?? 0) / PROBE.length;
      if (charPx > 0)
        setColumns(
          Math.max(1, Math.floor((el.clientWidth - LINE_CHROME_PX) / charPx) - TIME_COLUMNS),
        );
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Wrapped: each line's top, in rows, from its length (redone as lines come; cheap, see the model).
  const offsets = useMemo(
    () =>
      wrap && columns > 0
        ? new RowOffsets((i) => wrappedRows(view.lineAt(i)?.line ?? '', columns), count)
        : null,
    [wrap, columns, view, count, rev], // eslint-disable-line react-hooks/exhaustive-deps
  );

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !follow) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [follow, count, rev, height, offsets]);

  const onScroll = (e: UIEvent<HTMLDivElement>): void => {
    const el = e.currentTarget;
    setScrollTop(el.scrollTop);
    const f = followAfterScroll(el.scrollTop, el.scrollHeight, el.clientHeight);
    if (f !== follow) onFollowChange(f);
  };

  const { start, end } = offsets
    ? offsets.visible(scrollTop, height, LOG_ROW_HEIGHT, OVERSCAN)
    : visibleRange({
        scrollTop,
        viewportHeight: height,
        rowHeight: LOG_ROW_HEIGHT,
        count,
        overscan: OVERSCAN,
      });
  const top = (i: number): number => (offsets ? offsets.tops[i]! : i) * LOG_ROW_HEIGHT;
  const rows = [];
  for (let i = start; i < end; i++) {
    const line = view.lineAt(i);
    if (!line) continue;
    rows.push(
      <div
        key={i}
        className={`log-line${line.stream === 'err' ? ' err' : ''}${offsets ? ' wrap' : ''}`}
        style={{ top: top(i), height: top(i + 1) - top(i) }}
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
      <span ref={probe} className="log-probe" aria-hidden="true">
        {PROBE}
      </span>
      <div className="log-spacer" style={{ height: top(count) }}>
        {rows}
      </div>
    </div>
  );
}
