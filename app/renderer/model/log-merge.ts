// Joining a fetched log tail with lines we already hold: live frames buffered while the tail
// loaded, or the tail fetched again after a reconnect. Lines carry no id, so the overlap is found
// by timestamp, and lines sharing the boundary timestamp are matched by content.
import type { LogLine } from '../../shared/index.ts';

const key = (l: LogLine): string => `${l.stream}\u0000${l.line}`;

/**
 * The lines of `incoming` that come after what we hold. `heldBoundary` is the run of held lines
 * that share the newest held timestamp (LogRing.lastTimestampRun), or all held lines.
 */
export function newerLines(
  heldBoundary: readonly LogLine[],
  incoming: readonly LogLine[],
): LogLine[] {
  const last = heldBoundary.at(-1);
  if (!last) return [...incoming];
  const seen = new Map<string, number>();
  for (let i = heldBoundary.length - 1; i >= 0; i--) {
    const l = heldBoundary[i];
    if (!l || l.ts !== last.ts) break;
    seen.set(key(l), (seen.get(key(l)) ?? 0) + 1);
  }
  const out: LogLine[] = [];
  for (const l of incoming) {
    if (l.ts < last.ts) continue;
    if (l.ts === last.ts) {
      const n = seen.get(key(l)) ?? 0;
      if (n > 0) {
        seen.set(key(l), n - 1);
        continue;
      }
    }
    out.push(l);
  }
  return out;
}

/**
 * Whether lines may be missing between what we hold and a fetched tail: the tail was full (the
 * daemon had more) and starts after our newest line.
 */
export function tailLeavesGap(
  lastHeld: LogLine | undefined,
  fetched: readonly LogLine[],
  tailCap: number,
): boolean {
  const first = fetched[0];
  if (!lastHeld || !first) return false;
  return fetched.length >= tailCap && first.ts > lastHeld.ts;
}
