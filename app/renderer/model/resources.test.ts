import { describe, expect, it } from 'vitest';
import type { ResourceSample } from '../../shared/index.ts';
import { addResourceSample, runTimeline, sparkPoints } from './resources.ts';

const sample = (at: number, cpu: number, rss: number): ResourceSample => ({
  at,
  totals: { cpuPercent: cpu, rssBytes: rss },
  workers: { w: { cpuPercent: cpu, rssBytes: rss, processes: 1, at } },
});

describe('resource sparklines', () => {
  it('draws a worker over the window: time left to right, zero at the bottom', () => {
    const samples = [sample(0, 0, 10), sample(300_000, 50, 20), sample(600_000, 100, 40)];
    const opts = { now: 600_000, windowMs: 600_000, width: 60, height: 20 };
    expect(sparkPoints(samples, 'w', 'cpuPercent', opts)).toBe('0,19.5 30,10 60,0.5');
    // Memory against its own peak.
    expect(sparkPoints(samples, 'w', 'rssBytes', opts)).toBe('0,14.8 30,10 60,0.5');
    expect(sparkPoints(samples.slice(0, 1), 'w', 'cpuPercent', opts)).toBe('');
    // A worker up for less than the window is drawn over the width it has.
    expect(sparkPoints(samples.slice(1), 'w', 'cpuPercent', opts)).toBe('0,10 60,0.5');
    expect(sparkPoints(samples, 'other', 'cpuPercent', opts)).toBe('');
  });

  it('keeps samples in order, one per instant, within the window', () => {
    let s: ResourceSample[] = [];
    for (const at of [0, 5_000, 5_000, 700_000])
      s = addResourceSample(s, sample(at, 1, 1), 600_000);
    expect(s.map((x) => x.at)).toEqual([700_000]);
    s = addResourceSample([sample(0, 1, 1), sample(5_000, 1, 1)], sample(10_000, 1, 1), 600_000);
    expect(s.map((x) => x.at)).toEqual([0, 5_000, 10_000]);
  });
});

describe('the run timeline', () => {
  it('puts runs oldest left, each with its outcome', () => {
    const marks = runTimeline(
      [
        { runId: 'c', updatedAt: 3_000, bytes: 1, outcome: 'failed' },
        { runId: 'b', updatedAt: 2_000, bytes: 1, outcome: 'cancelled' },
        { runId: 'a', updatedAt: 1_000, bytes: 1 },
      ],
      5_000,
    );
    expect(marks).toEqual([
      { runId: 'a', outcome: 'running', left: 0 },
      { runId: 'b', outcome: 'cancelled', left: 25 },
      { runId: 'c', outcome: 'failed', left: 50 },
    ]);
    expect(runTimeline([], 0)).toEqual([]);
  });
});
