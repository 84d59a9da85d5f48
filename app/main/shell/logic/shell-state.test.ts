import { describe, expect, it } from 'vitest';
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
  });
});
