/** Exponential backoff with "equal jitter": half the step is fixed, half random, so clients that
 * fail together (an API outage, a daemon restart) do not retry in lock-step, yet the wait never
 * collapses to 0. The one backoff of the worker streams, the release checks, the dashboard and
 * the attached app. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(step / 2 + (r * step) / 2);
}
