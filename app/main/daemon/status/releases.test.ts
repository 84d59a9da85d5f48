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

  it('owes a check to a new environment, retries a failed one with backoff, and re-checks daily', async () => {
    let t = 0;
    let fail = true;
    const asked: string[] = [];
    const tracker = createReleaseTracker(
      async (url) => {
        asked.push(url);
        if (fail) throw new Error('offline');
        return rel('1.5.0', '0.9.0');
      },
      () => t,
      // The jitter at its top: each wait is the whole step (half of it is random).
      { retryMinMs: 1000, retryMaxMs: 4000, random: () => 1 },
    );
    const DAY = 86_400_000;
    expect(tracker.due(['http://a/'], DAY)).toEqual(['http://a']); // never checked
    await tracker.refresh(['http://a']);
    expect(tracker.due(['http://a'], DAY)).toEqual([]); // failed: retry in 1 s
    t = 1000;
    expect(tracker.due(['http://a'], DAY)).toEqual(['http://a']);
    await tracker.refresh(['http://a']);
    t = 2999;
    expect(tracker.due(['http://a'], DAY)).toEqual([]); // second failure: 2 s
    t = 3000;
    await tracker.refresh(tracker.due(['http://a'], DAY));
    t = 3000 + 3999;
    expect(tracker.due(['http://a'], DAY)).toEqual([]); // third: 4 s (the cap)
    t = 3000 + 4000;
    fail = false;
    await tracker.refresh(tracker.due(['http://a', 'http://b'], DAY));
    expect(tracker.latestWorkerVersion('http://a')).toBe('1.5.0');
    expect(tracker.due(['http://a', 'http://b'], DAY)).toEqual([]);
    t += DAY;
    expect(tracker.due(['http://a', 'http://b'], DAY)).toEqual(['http://a', 'http://b']);
    expect(asked).toEqual(['http://a', 'http://a', 'http://a', 'http://a', 'http://b']);
  });
});

describe('release tracker timing', () => {
  it('one check per environment at a time; it is not due while in flight', async () => {
    let calls = 0;
    let answer!: () => void;
    const tracker = createReleaseTracker(
      () =>
        new Promise<ReleasesResponse>((resolve) => {
          calls++;
          answer = () => resolve(rel('1.5.0', '0.9.0'));
        }),
      () => 0,
    );
    const first = tracker.refresh(['http://a']);
    const second = tracker.refresh(['http://a/']);
    expect(calls).toBe(1);
    expect(tracker.due(['http://a'], 0)).toEqual([]);
    answer();
    await Promise.all([first, second]);
    expect(tracker.due(['http://a'], 0)).toEqual(['http://a']);
  });

  it('due once maxAge has passed since the last fetch, not before', async () => {
    let t = 10_000;
    const tracker = createReleaseTracker(
      async () => rel('1.5.0', '0.9.0'),
      () => t,
    );
    await tracker.refresh(['http://a']);
    t += 999;
    expect(tracker.due(['http://a'], 1000)).toEqual([]);
    t += 1;
    expect(tracker.due(['http://a'], 1000)).toEqual(['http://a']);
  });

  it('self() reads the most recently fetched environment; the same version is not stale', async () => {
    let t = 1;
    const answers: Record<string, ReleasesResponse> = {
      'http://a': rel('1.5.0', '0.9.0'),
      'http://b': rel('1.5.0', '0.8.0'),
    };
    const tracker = createReleaseTracker(
      async (url) => answers[url]!,
      () => t,
    );
    await tracker.refresh(['http://a']);
    t = 3;
    await tracker.refresh(['http://b']);
    expect(tracker.self('0.8.0')).toMatchObject({ latest: '0.8.0', stale: false });
    t = 5;
    await tracker.refresh(['http://a']);
    expect(tracker.self('0.8.0')).toMatchObject({ latest: '0.9.0', stale: true });
    t = 4; // an older fetch time does not win
    answers['http://b'] = rel('1.5.0', '1.0.0');
    await tracker.refresh(['http://b']);
    expect(tracker.self('0.8.0').latest).toBe('0.9.0');
  });
});
