// The connection: what a (re)connect reloads, the live frames that need no command, and a lost
// stretch of frames.
import { describe, expect, it } from 'vitest';
import { sample, settle, setup } from './test-support.ts';

describe('store: connection', () => {
  it('on (re)connect it refreshes self and connectivity, says Reconnected briefly', async () => {
    const t = setup({
      getConnectivity: () => ({ current: sample(2), history: [sample(1), sample(2)] }),
    });
    t.connect('open');
    await settle();
    expect(t.called('getSelf')).toHaveLength(1);
    expect(t.s().connectivity.history.map((x) => x.ts)).toEqual([1, 2]);
    expect(t.s().reconnected).toBe(false);
    t.connect('reconnecting');
    t.connect('open');
    await settle();
    expect(t.s().reconnected).toBe(true);
    expect(t.called('getSelf')).toHaveLength(2);
    t.timers.advance(3000);
    expect(t.s().reconnected).toBe(false);
  });

  it('the self version is re-checked every minute', async () => {
    const t = setup();
    await settle();
    t.timers.advance(60_000 * 3);
    await settle();
    expect(t.called('getSelf')).toHaveLength(3);
    t.stop();
    t.timers.advance(60_000 * 3);
    expect(t.called('getSelf')).toHaveLength(3);
  });

  it('connectivity frames update the pill and the bounded history', async () => {
    const t = setup({}, { connectivity: 3 });
    for (const ts of [1, 2, 3, 4, 4]) t.emit({ kind: 'connectivity', sample: sample(ts) });
    expect(t.s().connectivity.current?.ts).toBe(4);
    expect(t.s().connectivity.history.map((x) => x.ts)).toEqual([2, 3, 4]);
  });

  it('a dropped frame raises a notice and reloads the list', async () => {
    const t = setup();
    await settle();
    t.emit({ kind: 'dropped', dropped: 7 });
    expect(t.s().notice).toMatchObject({
      tone: 'warn',
      text: expect.stringContaining('7 live updates'),
    });
    expect(t.called('listWorkers')).toHaveLength(2);
  });
});
