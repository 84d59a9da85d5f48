import { describe, expect, it } from 'vitest';
import { crashLoopNotices, pairingNotice, updateNotice } from './notifications.ts';
import { worker } from './test-support.ts';

describe('notifications', () => {
  it('tells once when a worker enters a crash loop', () => {
    const before = [
      worker('a', 'backing-off', { restarts: 2 }),
      worker('b', 'crashed', { restarts: 4 }),
    ];
    const after = [
      worker('a', 'backing-off', { restarts: 3 }),
      worker('b', 'crashed', { restarts: 5 }),
    ];
    const notices = crashLoopNotices(before, after);
    expect(notices).toEqual([
      {
        title: 'a keeps crashing',
        body: 'Restarted 3 times in a row. Open its logs to see why.',
        opens: { kind: 'logs', id: 'a' },
      },
    ]);
    expect(crashLoopNotices(after, after)).toEqual([]);
    expect(crashLoopNotices(after, [worker('a', 'running'), worker('b', 'running')])).toEqual([]);
  });

  it('names the last exit when there is one', () => {
    const w = worker('a', 'backing-off', { restarts: 3 });
    w.local = { ...w.local!, lastExit: { code: 1, signal: null, at: 1 } };
    expect(crashLoopNotices([], [w])[0]?.body).toContain('(last exit 1)');
  });

  it('tells when a pairing is approved or fails, not while it waits', () => {
    expect(pairingNotice({ state: 'approved', workerId: 'w-9' })?.title).toBe(
      'This host is connected',
    );
    expect(pairingNotice({ state: 'failed', error: 'the code expired' })).toMatchObject({
      title: 'Pairing failed',
      body: 'the code expired',
    });
    expect(pairingNotice({ state: 'waiting' })).toBeNull();
  });

  it('tells about an update once per release; a manual check always answers', () => {
    const stale = { version: '0.8.0', latest: '0.9.0', stale: true, lastCheckedAt: null };
    const first = updateNotice(stale, { manual: false, alreadyNotified: null });
    expect(first.notice?.title).toBe('Update available');
    expect(first.notified).toBe('0.9.0');
    expect(updateNotice(stale, { manual: false, alreadyNotified: '0.9.0' }).notice).toBeNull();
    expect(updateNotice(stale, { manual: true, alreadyNotified: '0.9.0' }).notice?.title).toBe(
      'Update available',
    );
    expect(
      updateNotice({ ...stale, latest: '0.9.1' }, { manual: false, alreadyNotified: '0.9.0' })
        .notified,
    ).toBe('0.9.1');
    const current = { version: '0.9.0', latest: '0.9.0', stale: false, lastCheckedAt: null };
    expect(updateNotice(current, { manual: false, alreadyNotified: null }).notice).toBeNull();
    expect(updateNotice(current, { manual: true, alreadyNotified: null }).notice?.title).toBe(
      'PipedAI Orchestrator is up to date',
    );
    expect(
      updateNotice({ ...current, latest: null }, { manual: true, alreadyNotified: null }).notice
        ?.body,
    ).toContain('not known yet');
  });
});
