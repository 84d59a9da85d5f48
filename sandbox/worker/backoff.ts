// Capped exponential backoff for the claim loop while the API fails: POLL, 2×POLL, 4×POLL… up to
// 16×POLL and never more than 30 s (nor less than POLL, for very slow poll settings).
export const MAX_BACKOFF_MS = 30_000;

export function backoffMs(consecutiveFailures: number, pollMs: number): number {
  const cap = Math.max(pollMs, Math.min(MAX_BACKOFF_MS, pollMs * 16));
  const exponent = Math.min(Math.max(consecutiveFailures - 1, 0), 30);
  return Math.min(cap, pollMs * 2 ** exponent);
}
