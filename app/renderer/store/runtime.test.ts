// The worker runtime in the dashboard: install frames replace the card's install, rollbacks
// become notices, and the row's Roll back and Retry run their commands and say what happened.
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../shared/index.ts';
import { runtimeInstall as install } from '../../shared/test-support.ts';
import { settle, setup, worker } from './test-support.ts';

describe('store: worker runtime', () => {
  it('follows install frames and tells a rollback (an automatic one as bad news)', () => {
    const t = setup();
    t.emit({ kind: 'runtime', install: install('downloading') });
    expect(t.s().runtimeInstall?.phase).toBe('downloading');
    t.emit({ kind: 'runtime', install: install('done') });
    expect(t.s().runtimeInstall?.phase).toBe('done');
    const rollback = { id: 'w1', label: 'box', from: '1.5.1', to: '1.5.0', at: 1 };
    t.emit({ kind: 'rollback', rollback: { ...rollback, automatic: true, reason: 'crashed' } });
    expect(t.s().notice).toEqual({
      tone: 'err',
      text: 'box rolled back from 1.5.1 to 1.5.0 by itself: crashed',
    });
    t.emit({ kind: 'rollback', rollback: { ...rollback, automatic: false, reason: 'asked for' } });
    expect(t.s().notice).toEqual({ tone: 'ok', text: 'box rolled back from 1.5.1 to 1.5.0' });
  });

  it('Roll back and Retry run their commands through the verb table', async () => {
    const t = setup({
      listWorkers: () => ({ items: [worker('w1')] }),
      rollbackWorker: ({ id }) => ({
        id,
        action: 'rollback',
        ok: true,
        from: '1.5.1',
        to: '1.5.0',
      }),
      installWorkerRuntime: () => {
        throw new CommandError('upstream', 'cannot reach the registry: ECONNREFUSED 127.0.0.1');
      },
    });
    t.connect('open');
    await settle();
    await t.a().runVerb('w1', 'rollback');
    expect(t.called('rollbackWorker')).toEqual([{ id: 'w1' }]);
    expect(t.s().rows.w1?.result).toEqual({ ok: true, text: 'rolled back 1.5.1 → 1.5.0' });
    await t.a().runVerb('w1', 'install-runtime');
    // The runtime card tells the whole error; the row keeps its first clause.
    expect(t.s().rows.w1?.result).toEqual({
      ok: false,
      text: 'Install runtime failed: cannot reach the registry',
    });
  });
});
