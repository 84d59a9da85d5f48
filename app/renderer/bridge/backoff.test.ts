import { describe, expect, it } from 'vitest';
import { RECONNECT_BASE_MS, RECONNECT_CAP_MS, reconnectDelay } from './backoff.ts';

describe('reconnect backoff', () => {
  it('doubles from the base and stays between half and all of the ceiling', () => {
    expect(reconnectDelay(0, () => 0)).toBe(RECONNECT_BASE_MS / 2);
    expect(reconnectDelay(0, () => 1)).toBe(RECONNECT_BASE_MS);
    expect(reconnectDelay(1, () => 1)).toBe(RECONNECT_BASE_MS * 2);
    expect(reconnectDelay(3, () => 0.5)).toBe(RECONNECT_BASE_MS * 8 * 0.75);
  });

  it('is capped, however many attempts failed', () => {
    for (const n of [5, 10, 50, 10_000]) {
      expect(reconnectDelay(n, () => 1)).toBe(RECONNECT_CAP_MS);
      expect(reconnectDelay(n, () => 0)).toBe(RECONNECT_CAP_MS / 2);
    }
  });

  it('tolerates a random source outside [0, 1]', () => {
    expect(reconnectDelay(0, () => 7)).toBe(RECONNECT_BASE_MS);
    expect(reconnectDelay(0, () => -1)).toBe(RECONNECT_BASE_MS / 2);
  });
});
