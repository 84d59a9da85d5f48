// Fixed-row-height windowing for the log view, and the follow rule (contract §9.5: follow
// unticks when the user scrolls more than 24 px from the bottom, reticks at the bottom).

export const FOLLOW_SLACK_PX = 24;

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Extra rows rendered above and below, so fast scrolling shows no blank band. */
  overscan: number;
}

/** Rows [start, end) to render. */
export function visibleRange(w: WindowInput): { start: number; end: number } {
  if (w.count <= 0 || w.rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, w.scrollTop) / w.rowHeight);
  const shown = Math.ceil(Math.max(0, w.viewportHeight) / w.rowHeight) + 1;
  const start = Math.max(0, Math.min(w.count - 1, first) - w.overscan);
  const end = Math.min(w.count, first + shown + w.overscan);
  return { start, end: Math.max(start, end) };
}

export function distanceFromBottom(
  scrollTop: number,
  scrollHeight: number,
  clientHeight: number,
): number {
  return Math.max(0, scrollHeight - clientHeight - scrollTop);
}

/** After the user scrolled: should the view keep following new lines? */
export function followAfterScroll(
  scrollTop: number,
  scrollHeight: number,
  clientHeight: number,
): boolean {
  return distanceFromBottom(scrollTop, scrollHeight, clientHeight) <= FOLLOW_SLACK_PX;
}

/** Split a line around case-insensitive matches of `needle`, for highlighting. */
export function highlightParts(
  text: string,
  needle: string,
): Array<{ text: string; hit: boolean }> {
  const n = needle.trim().toLowerCase();
  if (n === '') return [{ text, hit: false }];
  const lower = text.toLowerCase();
  const parts: Array<{ text: string; hit: boolean }> = [];
  let from = 0;
  for (let at = lower.indexOf(n); at !== -1; at = lower.indexOf(n, at + n.length)) {
    if (at > from) parts.push({ text: text.slice(from, at), hit: false });
    parts.push({ text: text.slice(at, at + n.length), hit: true });
    from = at + n.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), hit: false });
  return parts;
}
