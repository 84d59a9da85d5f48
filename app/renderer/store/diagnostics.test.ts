// The Diagnostics drawer: the doctor report on open and on Refresh.
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../shared/index.ts';
import { settle, setup } from './test-support.ts';

describe('store: diagnostics', () => {
  it('asks the daemon when the drawer opens and again on demand; a failure is shown', async () => {
    let fail = false;
    const report = {
      by: 'daemon' as const,
      generatedAt: 1,
      checks: [{ id: 'disk', title: 'Disk', status: 'ok' as const, summary: 'fine', details: [] }],
    };
    const t = setup({
      getDiagnostics: () => {
        if (fail) throw new CommandError('unavailable', 'the daemon went away');
        return report;
      },
    });
    t.connect('open');
    await settle();
    t.a().openDiagnostics();
    expect(t.s().drawer).toEqual({ kind: 'diagnostics' });
    await settle();
    expect(t.s().diagnostics).toEqual({ report, loading: false, error: null });
    fail = true;
    await t.a().loadDiagnostics();
    expect(t.s().diagnostics).toEqual({ report, loading: false, error: 'the daemon went away' });
    expect(t.called('getDiagnostics')).toEqual([{}, {}]);
  });
});
