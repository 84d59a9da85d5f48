import { describe, expect, it } from 'vitest';
import type { ReleasesResponse } from '../../../shared/index.ts';
import { createReleaseTracker } from './releases.ts';

const rel = (worker: string, orch: string): ReleasesResponse => ({
  pipedaiWorker: { latest: worker, source: 'npm' },
  pipedaiOrchestrator: { latest: orch, source: 'npm' },
});

describe('release tracker', () => {
  it('keys by normalised apiUrl, maps unknown to null, and keeps old values on failure', async () => {
    let t = 1000;
    let answer: ReleasesResponse | Error = rel('1.5.0', '0.9.0');
    const tracker = createReleaseTracker(
      async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
      () => t,
    );
    expect(tracker.latestWorkerVersion('http://a')).toBeNull();
    expect(tracker.self('0.8.0')).toEqual({
      version: '0.8.0',
      latest: null,
      stale: false,
      lastCheckedAt: null,
    });
    await tracker.refresh(['http://a/']);
    expect(tracker.latestWorkerVersion('http://a')).toBe('1.5.0');
    expect(tracker.self('0.8.0')).toMatchObject({
      latest: '0.9.0',
      stale: true,
      lastCheckedAt: new Date(1000).toISOString(),
    });
    expect(tracker.self('0.10.0').stale).toBe(false);
    answer = new Error('down');
    t = 2000;
    await tracker.refresh(['http://a']);
    expect(tracker.latestWorkerVersion('http://a')).toBe('1.5.0');
    answer = rel('unknown', 'unknown');
    await tracker.refresh(['http://a']);
    expect(tracker.latestWorkerVersion('http://a')).toBeNull();
    expect(tracker.self('0.8.0')).toMatchObject({ latest: null, stale: false });
  });
});
