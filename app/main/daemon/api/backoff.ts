/** Exponential backoff with "equal jitter": half the step is fixed, half random, so streams that
 * fail together (an API outage) do not reconnect in lock-step, yet the wait never collapses to 0. */
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
  return Math.round(step / 2 + (random() * step) / 2);
}
