import { describe, expect, it } from 'vitest';
import {
  backoffPolicy,
  baseDelayMs,
  exceedsMaxRestarts,
  nextStreak,
  restartDelayMs,
} from './backoff.ts';

describe('backoff', () => {
  const policy = backoffPolicy();

  it('follows 1 s, 5 s, 15 s, 60 s, then 300 s for every further restart', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => baseDelayMs(n, policy))).toEqual([
      1000, 5000, 15000, 60000, 300000, 300000, 300000,
    ]);
  });

  it('scales every duration by the unit', () => {
    const fast = backoffPolicy({ unitMs: 20 });
    expect(fast.scheduleMs).toEqual([20, 100, 300, 1200, 6000]);
    expect(fast.stableRunMs).toBe(1200);
  });

  it('resets the streak to 1 after a stable run, else counts up', () => {
    expect(nextStreak(0, 10, policy)).toBe(1);
    expect(nextStreak(3, 59_999, policy)).toBe(4);
    expect(nextStreak(7, 60_000, policy)).toBe(1);
  });

  it('jitters within ±10% and spreads workers that fail together', () => {
    expect(restartDelayMs(2, policy, () => 0)).toBe(4500);
    expect(restartDelayMs(2, policy, () => 0.5)).toBe(5000);
    expect(restartDelayMs(2, policy, () => 1)).toBe(5500);
    const delays = new Set(
      Array.from({ length: 20 }, () => restartDelayMs(5, policy, Math.random)),
    );
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(270_000);
    for (const d of delays) expect(d).toBeLessThanOrEqual(330_000);
    expect(delays.size).toBeGreaterThan(1);
  });

  it('crashes only above maxRestarts, never by default', () => {
    expect(exceedsMaxRestarts(1_000_000, policy)).toBe(false);
    const capped = backoffPolicy({ maxRestarts: 2 });
    expect(exceedsMaxRestarts(2, capped)).toBe(false);
    expect(exceedsMaxRestarts(3, capped)).toBe(true);
  });
});
