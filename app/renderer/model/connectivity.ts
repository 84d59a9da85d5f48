// Connectivity history: oldest first in memory, at most `cap` samples, one per timestamp.
import type { ConnectivitySample } from '../../shared/index.ts';

export const CONNECTIVITY_CAP = 500;

export function addSample(
  history: readonly ConnectivitySample[],
  sample: ConnectivitySample,
  cap = CONNECTIVITY_CAP,
): ConnectivitySample[] {
  if (history.some((s) => s.ts === sample.ts)) return history as ConnectivitySample[];
  // A late sample lands in order (sorting an ordered list is linear).
  const next = [...history, sample].sort((a, b) => a.ts - b.ts);
  return next.slice(-cap);
}

/** A fetched history joined with samples that arrived live meanwhile. */
export function mergeHistory(
  fetched: readonly ConnectivitySample[],
  live: readonly ConnectivitySample[],
  cap = CONNECTIVITY_CAP,
): ConnectivitySample[] {
  let out = [...fetched].sort((a, b) => a.ts - b.ts);
  for (const s of live) out = addSample(out, s, Number.MAX_SAFE_INTEGER);
  return out.slice(-cap);
}
