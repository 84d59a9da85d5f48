import { describe, expect, it } from 'vitest';
import { backoffMs, MAX_BACKOFF_MS } from './backoff.ts';

describe('backoffMs', () => {
  it('doubles from the poll interval up to 16× poll', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => backoffMs(n, 100))).toEqual([
      100, 200, 400, 800, 1600, 1600, 1600,
    ]);
  });
  it('never exceeds 30 s, nor goes below the poll interval', () => {
    expect(backoffMs(20, 2000)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(3, 60_000)).toBe(60_000);
    expect(backoffMs(0, 100)).toBe(100);
  });
});
