import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { APP_USER_MODEL_ID, crashLoopNotices, pairingNotice } from './notifications.ts';
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

  it('a click on a pairing notice opens the dashboard; a failure without a reason says so', () => {
    expect(pairingNotice({ state: 'approved', workerId: 'w-9' })).toEqual({
      title: 'This host is connected',
      body: 'Pairing approved: the new worker is starting.',
      opens: { kind: 'dashboard' },
    });
    expect(pairingNotice({ state: 'failed' })).toEqual({
      title: 'Pairing failed',
      body: 'The code was not approved.',
      opens: { kind: 'dashboard' },
    });
  });

  it("carries the installer's appId as its Windows identity, or toasts are dropped", () => {
    const builder = createRequire(import.meta.url)('../../../../electron-builder.config.cjs') as {
      appId: string;
    };
    expect(APP_USER_MODEL_ID).toBe(builder.appId);
  });

  it('tells of a crash loop even without a previous view', () => {
    const looping = worker('a', 'crashed', { restarts: 5 });
    expect(crashLoopNotices(null, [looping]).map((n) => n.title)).toEqual(['a keeps crashing']);
    expect(crashLoopNotices([looping], null)).toEqual([]);
  });
});
