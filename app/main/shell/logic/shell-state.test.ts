import { describe, expect, it } from 'vitest';
import type { RuntimeInstall } from '../../../shared/index.ts';
import { runtimeInstall } from '../../../shared/test-support.ts';
import { applyFrame, initialShellState, liveWorkerCount } from './shell-state.ts';
import { local, worker } from './test-support.ts';

describe('shell state', () => {
  it('starts open when owning, connecting when attached', () => {
    expect(initialShellState('own')).toMatchObject({ mode: 'own', link: 'open', workers: null });
    expect(initialShellState('attached')).toMatchObject({ link: 'connecting' });
  });

  it('folds status, worker-state and connectivity frames', () => {
    let s = initialShellState('own');
    s = applyFrame(s, { kind: 'status', items: [worker('a', 'running'), worker('b', 'running')] });
    expect(liveWorkerCount(s.workers)).toBe(2);
    s = applyFrame(s, { kind: 'worker-state', status: local('stopped', { id: 'b' }) });
    expect(s.workers?.map((w) => w.local?.state)).toEqual(['running', 'stopped']);
    expect(liveWorkerCount(s.workers)).toBe(1);
    s = applyFrame(s, {
      kind: 'connectivity',
      sample: {
        ts: 1,
        verdict: 'offline',
        api: [],
        internet: { ok: false, latencyMs: null, status: null },
      },
    });
    expect(s.verdict).toBe('offline');
    expect(s.outageSince).toBe(1);
  });

  it('dates an outage from its first sample, and forgets it once online', () => {
    const at = (ts: number, verdict: 'online' | 'offline' | 'api-unreachable') => ({
      kind: 'connectivity' as const,
      sample: {
        ts,
        verdict,
        api: [],
        internet: { ok: verdict !== 'offline', latencyMs: null, status: null },
      },
    });
    let s = applyFrame(initialShellState('own'), at(1, 'online'));
    expect(s.outageSince).toBeNull();
    s = applyFrame(applyFrame(s, at(2, 'api-unreachable')), at(3, 'offline'));
    expect(s.outageSince).toBe(2);
    expect(applyFrame(s, at(4, 'online')).outageSince).toBeNull();
  });

  it('returns the same state for frames that change nothing it shows', () => {
    const s = applyFrame(initialShellState('own'), {
      kind: 'status',
      items: [worker('a', 'running')],
    });
    expect(
      applyFrame(s, { kind: 'logs', id: 'a', lines: [{ ts: 1, stream: 'out', line: 'hi' }] }),
    ).toBe(s);
    expect(applyFrame(s, { kind: 'worker-state', status: local('stopped', { id: 'zzz' }) })).toBe(
      s,
    );
    expect(applyFrame(s, { kind: 'dropped', dropped: 3 })).toBe(s);
    expect(liveWorkerCount(null)).toBe(0);
    // A supervisor change before the first status frame: nothing to patch yet.
    const fresh = initialShellState('own');
    expect(applyFrame(fresh, { kind: 'worker-state', status: local('running', { id: 'a' }) })).toBe(
      fresh,
    );
  });

  it('counts only workers with a process as live (what a drain waits for)', () => {
    expect(
      liveWorkerCount([worker('a', 'running'), worker('b', null), worker('c', 'stopped')]),
    ).toBe(1);
  });

  it('follows a runtime install until it is done or failed', () => {
    const frame = (phase: RuntimeInstall['phase']) => ({
      kind: 'runtime' as const,
      install: runtimeInstall(phase),
    });
    let s = applyFrame(initialShellState('own'), frame('downloading'));
    expect(s.install?.phase).toBe('downloading');
    s = applyFrame(s, frame('failed'));
    expect(s.install).toBeNull();
    s = applyFrame(applyFrame(s, frame('installing')), frame('done'));
    expect(s.install).toBeNull();
  });
});
