import { describe, expect, it } from 'vitest';
import type { ConnectivitySample } from '../../shared/index.ts';
import { addSample, mergeHistory } from './connectivity.ts';

const s = (ts: number): ConnectivitySample => ({
  ts,
  verdict: 'online',
  api: [],
  internet: { ok: true, latencyMs: 1, status: 204 },
});

describe('connectivity history', () => {
  it('appends, skips a sample it already has, stays sorted and bounded', () => {
    let h: ConnectivitySample[] = [];
    for (const ts of [1, 2, 3, 3, 0]) h = addSample(h, s(ts), 3);
    expect(h.map((x) => x.ts)).toEqual([1, 2, 3]);
    h = addSample(h, s(4), 3);
    expect(h.map((x) => x.ts)).toEqual([2, 3, 4]);
  });

  it('joins a fetched history with samples that arrived live meanwhile', () => {
    const merged = mergeHistory([s(3), s(1), s(2)], [s(2), s(4)], 500);
    expect(merged.map((x) => x.ts)).toEqual([1, 2, 3, 4]);
    expect(mergeHistory([s(1), s(2), s(3)], [s(4)], 2).map((x) => x.ts)).toEqual([3, 4]);
    // Nothing arrived live: the fetched history alone, still oldest first and bounded.
    expect(mergeHistory([s(3), s(1), s(2)], [], 2).map((x) => x.ts)).toEqual([2, 3]);
  });
});
