import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

const policy = { initialMs: 1000, maxMs: 60_000 };

describe('backoffDelay', () => {
  it('doubles from the initial step up to the cap, with half of each step random', () => {
    const low = [0, 1, 2, 3, 4, 5, 6, 7, 20].map((a) => backoffDelay(a, policy, () => 0));
    const high = [0, 1, 2, 3, 4, 5, 6, 7, 20].map((a) => backoffDelay(a, policy, () => 1));
    expect(low).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(high).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('stays finite for huge attempt counts', () => {
    expect(backoffDelay(5000, policy, () => 0.5)).toBe(45_000);
  });

  it('tolerates a random source outside [0, 1]', () => {
    expect(backoffDelay(0, policy, () => 7)).toBe(1000);
    expect(backoffDelay(0, policy, () => -1)).toBe(500);
  });
});
