// Self-update: drain, restart, and the word once the daemon is back.
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../shared/index.ts';
import { settle, setup } from './test-support.ts';

describe('store: self-update', () => {
  it('installs, restarts, and says how it went once the daemon is back', async () => {
    let self = { version: '0.8.0', latest: '0.9.0', stale: true, lastCheckedAt: null };
    const t = setup({
      getSelf: () => self,
      upgradeSelf: () => ({ ok: true, action: 'upgrade-self', durationMs: 5 }),
    });
    t.connect('open');
    await settle();
    t.a().openDialog({ kind: 'self-upgrade' });
    t.a().confirmDialog();
    expect(t.s().selfUpgrading).toBe(true);
    await settle();
    expect(t.called('upgradeSelf')).toEqual([{ version: '0.9.0' }]);
    t.connect('reconnecting');
    self = { version: '0.9.0', latest: '0.9.0', stale: false, lastCheckedAt: null };
    t.connect('open');
    await settle();
    expect(t.s().selfUpgrading).toBe(false);
    expect(t.s().notice).toEqual({ tone: 'ok', text: 'The orchestrator is back on v0.9.0.' });
  });

  it('a desktop app restarts into its downloaded update instead of installing from npm', async () => {
    const t = setup({
      getSelf: () => ({
        version: '0.8.0',
        latest: '0.9.0',
        stale: true,
        lastCheckedAt: null,
        desktopUpdate: { state: 'ready', version: '0.9.1' },
      }),
      restartToUpdate: () => ({ ok: true, action: 'restart-to-update' }),
    });
    t.connect('open');
    await settle();
    t.a().openDialog({ kind: 'self-upgrade' });
    t.a().confirmDialog();
    await settle();
    expect(t.called('restartToUpdate')).toEqual([{}]);
    expect(t.called('upgradeSelf')).toEqual([]);
    expect(t.s().notice).toEqual({
      tone: 'info',
      text: 'Restarting into v0.9.1; the workers keep running.',
    });
  });

  it('a failed install is reported and the button comes back', async () => {
    const t = setup({
      getSelf: () => ({ version: '0.8.0', latest: '0.9.0', stale: true, lastCheckedAt: null }),
      upgradeSelf: () => {
        throw new CommandError('conflict', 'install already in flight');
      },
    });
    t.connect('open');
    await settle();
    await t.a().upgradeSelf();
    expect(t.s().selfUpgrading).toBe(false);
    expect(t.s().notice).toEqual({
      tone: 'err',
      text: 'Self-update failed: install already in flight',
    });
  });
});
