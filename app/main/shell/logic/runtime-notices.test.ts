// The shell's side of the worker runtime: the tray tooltip follows an install phase by phase,
// and a rollback or a failed install becomes a desktop notification.
import { describe, expect, it } from 'vitest';
import { runtimeInstall as install } from '../../../shared/test-support.ts';
import { installFailedNotice, rollbackNotice } from './notifications.ts';
import { applyFrame } from './shell-state.ts';
import { shell, worker } from './test-support.ts';
import { trayModel } from './tray.ts';

describe('worker runtime in the tray', () => {
  it('shows the install phase in the tooltip while it runs, and nothing once done', () => {
    let s = shell([worker('w', 'needs-runtime')]);
    s = applyFrame(s, { kind: 'runtime', install: install('resolving') });
    expect(trayModel(s).tooltip).toContain('resolving @pipedai/worker@latest');
    s = applyFrame(s, { kind: 'runtime', install: install('downloading') });
    expect(trayModel(s).tooltip).toContain('downloading @pipedai/worker@1.4.2');
    s = applyFrame(s, { kind: 'runtime', install: install('done') });
    expect(trayModel(s).tooltip).not.toContain('@pipedai/worker');
  });

  it('notifies a rollback (by itself or asked for) and a failed install', () => {
    const auto = rollbackNotice({
      id: 'w',
      label: 'mac',
      from: '1.5.1',
      to: '1.5.0',
      automatic: true,
      reason: 'crashed',
      at: 1,
    });
    expect(auto).toMatchObject({ title: 'mac was rolled back', opens: { kind: 'logs', id: 'w' } });
    expect(auto.body).toContain('1.5.1 kept crashing');
    const failed = install('failed', {
      failure: 'unreachable',
      error: 'cannot reach http://127.0.0.1:4873 to install @pipedai/worker@latest',
    });
    expect(installFailedNotice(failed)?.body).toContain('cannot reach http://127.0.0.1:4873');
    expect(installFailedNotice(install('done'))).toBeNull();
  });

  it('says which runtime could not be installed, and a click opens the dashboard', () => {
    expect(installFailedNotice(install('failed', { error: null }))).toEqual({
      title: 'The worker runtime could not be installed',
      body: '@pipedai/worker@latest could not be installed',
      opens: { kind: 'dashboard' },
    });
  });

  it('a rollback the operator asked for reads as done, not as news', () => {
    expect(
      rollbackNotice({
        id: 'w',
        label: 'mac',
        from: '1.5.1',
        to: '1.5.0',
        automatic: false,
        reason: 'operator',
        at: 1,
      }),
    ).toEqual({
      title: 'mac rolled back',
      body: 'It runs 1.5.0 again (was 1.5.1).',
      opens: { kind: 'logs', id: 'w' },
    });
  });
});
