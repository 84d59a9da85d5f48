// Pairing from the page: polled or moved by frames, expiry, cancel, landing on the new worker.
import { describe, expect, it } from 'vitest';
import { settle, setup, worker } from './test-support.ts';
import { PAIRING_POLL_MS } from './index.ts';

describe('store: pairing', () => {
  const start = {
    pairingId: 'p1',
    userCode: 'BCDF-GHJK',
    verificationUri: 'https://pipedai.app/device',
    verificationUriComplete: 'https://pipedai.app/device?code=BCDF-GHJK',
    expiresAt: new Date(15 * 60_000).toISOString(),
  };

  it('polls every 2 s until approved, then lands on the new worker', async () => {
    let state: Record<string, unknown> = { state: 'waiting' };
    const t = setup({ startPairing: () => start, pairingStatus: () => state });
    await t.a().startPairing({ apiUrl: 'https://api.pipedai.app' });
    expect(t.s().pairing).toMatchObject({ phase: 'waiting', start });
    t.timers.advance(PAIRING_POLL_MS);
    await settle();
    expect(t.called('pairingStatus')).toEqual([{ pairingId: 'p1' }]);
    state = { state: 'approved', workerId: 'w_new' };
    t.timers.advance(PAIRING_POLL_MS);
    await settle();
    expect(t.s().pairing).toMatchObject({ phase: 'approved', workerId: 'w_new' });
    expect(t.s().highlight).toBe('w_new');
    t.timers.advance(PAIRING_POLL_MS * 5);
    expect(t.called('pairingStatus')).toHaveLength(2);
    // Once the worker is in the list the pairing is over: later frames do not highlight it again.
    t.emit({ kind: 'status', items: [worker('w_new')] });
    expect(t.s().pairing.phase).toBe('idle');
    t.timers.advance(10_000);
    expect(t.s().highlight).toBeNull();
    t.emit({ kind: 'status', items: [worker('w_new')] });
    expect(t.s().highlight).toBeNull();
  });

  it('a pairing frame moves it at once; a failure keeps the reason', async () => {
    const t = setup({ startPairing: () => start, pairingStatus: () => ({ state: 'waiting' }) });
    await t.a().startPairing({ apiUrl: 'https://api.pipedai.app' });
    t.emit({ kind: 'pairing', pairingId: 'other', status: { state: 'approved', workerId: 'x' } });
    expect(t.s().pairing.phase).toBe('waiting');
    t.emit({
      kind: 'pairing',
      pairingId: 'p1',
      status: { state: 'failed', error: 'access_denied' },
    });
    expect(t.s().pairing).toMatchObject({ phase: 'failed', error: 'access_denied' });
  });

  it('an expired code fails without asking; cancel tells the daemon', async () => {
    const t = setup({
      startPairing: () => start,
      pairingStatus: () => ({ state: 'waiting' }),
      cancelPairing: () => ({ ok: true }),
    });
    await t.a().startPairing({ apiUrl: 'https://api.pipedai.app' });
    await t.a().cancelPairing();
    expect(t.called('cancelPairing')).toEqual([{ pairingId: 'p1' }]);
    expect(t.s().pairing.phase).toBe('idle');
    await t.a().startPairing({ apiUrl: 'https://api.pipedai.app' });
    // Each poll waits for its answer before the next is scheduled.
    for (let i = 0; i < 3; i++) {
      t.timers.advance(8 * 60_000);
      await settle();
    }
    expect(t.s().pairing).toMatchObject({
      phase: 'failed',
      error: expect.stringContaining('expired'),
    });
  });
});
