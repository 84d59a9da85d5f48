import { describe, expect, it } from 'vitest';
import type { SelfStatus } from '../../shared/index.ts';
import { selfPill } from './self-update.ts';

const server: SelfStatus = { version: '0.8.0', latest: '0.9.0', stale: true, lastCheckedAt: null };

describe('the version pill', () => {
  it('a server offers Update now for a newer npm release, never for an older one', () => {
    expect(selfPill(server, 'checked 1m ago')).toMatchObject({
      kind: 'update',
      text: 'v0.8.0 → v0.9.0',
      button: 'Update now',
    });
    expect(selfPill({ ...server, latest: '0.7.1' }, 'c').kind).toBe('current');
  });

  it('a desktop app follows its own updater, not the npm feed', () => {
    const desktop = (d: SelfStatus['desktopUpdate']) =>
      selfPill({ ...server, desktopUpdate: d }, 'c');
    expect(desktop({ state: 'up-to-date' })).toMatchObject({ kind: 'current', text: 'v0.8.0' });
    expect(desktop({ state: 'downloading', version: '0.9.1', percent: 40 })).toMatchObject({
      kind: 'busy',
      text: 'v0.8.0 · downloading v0.9.1 (40%)',
    });
    expect(desktop({ state: 'ready', version: '0.9.1' })).toMatchObject({
      kind: 'update',
      text: 'v0.8.0 → v0.9.1',
      button: 'Restart to update',
    });
    expect(
      desktop({
        state: 'unsupported',
        message: 'Installed from a .deb: your package manager owns updates.',
      }),
    ).toMatchObject({
      kind: 'explain',
      text: 'v0.8.0 · no self-update',
      explain: 'Installed from a .deb: your package manager owns updates.',
    });
  });
});
