// Restart backoff (contract §5.2), pure: the streak of unexpected exits picks a delay from the
// schedule; jitter spreads many workers failing together (an API outage) so they do not restart
// in lock-step.

export interface BackoffPolicy {
  /** Delay before restart n (1-based); the last entry repeats. */
  readonly scheduleMs: readonly number[];
  /** A child that ran at least this long before exiting starts a fresh streak (n = 1). */
  readonly stableRunMs: number;
  /** Fraction of the delay added or removed at random (0.1 → ±10%). */
  readonly jitter: number;
  /** Streak above which the worker is `crashed` instead of restarted; null = never. */
  readonly maxRestarts: number | null;
}

export const SCHEDULE_UNITS = [1, 5, 15, 60, 300] as const;
export const STABLE_RUN_UNITS = 60;

/** The contract's schedule in `unitMs` units (1000 in production; tests use a few ms). */
export function backoffPolicy(
  opts: { unitMs?: number; jitter?: number; maxRestarts?: number | null } = {},
): BackoffPolicy {
  const unit = opts.unitMs ?? 1000;
  return {
    scheduleMs: SCHEDULE_UNITS.map((u) => u * unit),
    stableRunMs: STABLE_RUN_UNITS * unit,
    jitter: opts.jitter ?? 0.1,
    maxRestarts: opts.maxRestarts ?? null,
  };
}

/** The streak after an unexpected exit of a child that ran `ranMs`. */
export function nextStreak(streak: number, ranMs: number, policy: BackoffPolicy): number {
  return ranMs >= policy.stableRunMs ? 1 : streak + 1;
}

export function baseDelayMs(streak: number, policy: BackoffPolicy): number {
  const { scheduleMs } = policy;
  const i = Math.min(Math.max(streak, 1), scheduleMs.length) - 1;
  return scheduleMs[i] ?? 0;
}

/** `random` returns [0, 1); 0.5 gives the base delay, 0 and 1 its bounds. */
export function restartDelayMs(
  streak: number,
  policy: BackoffPolicy,
  random: () => number,
): number {
  const base = baseDelayMs(streak, policy);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.max(0, Math.round(base * (1 + policy.jitter * (2 * r - 1))));
}

export function exceedsMaxRestarts(streak: number, policy: BackoffPolicy): boolean {
  return policy.maxRestarts !== null && streak > policy.maxRestarts;
}
