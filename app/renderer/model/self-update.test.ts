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

describe('the version pill, every state', () => {
  const desktop = (d: SelfStatus['desktopUpdate']) =>
    selfPill({ ...server, desktopUpdate: d }, 'checked 1m ago');

  it('says what each desktop update state means, in the tooltip too', () => {
    expect(desktop({ state: 'ready', version: '0.9.1' })).toEqual({
      kind: 'update',
      text: 'v0.8.0 → v0.9.1',
      title: 'v0.9.1 is downloaded; restarting keeps the workers running',
      button: 'Restart to update',
    });
    expect(desktop({ state: 'downloading', version: '0.9.1' })).toEqual({
      kind: 'busy',
      text: 'v0.8.0 · downloading v0.9.1 (0%)',
      title: 'the update downloads in the background',
    });
    expect(desktop({ state: 'restarting', version: '0.9.1' })).toEqual({
      kind: 'busy',
      text: 'restarting into v0.9.1…',
      title: '',
    });
    expect(desktop({ state: 'checking' })).toEqual({
      kind: 'busy',
      text: 'v0.8.0 · checking…',
      title: 'checking for updates',
    });
    expect(desktop({ state: 'up-to-date' })).toEqual({
      kind: 'current',
      text: 'v0.8.0',
      title: 'up to date',
    });
  });

  it('explains why there is no update, with a fallback when the updater said nothing', () => {
    expect(desktop({ state: 'unsupported' })).toEqual({
      kind: 'explain',
      text: 'v0.8.0 · no self-update',
      title: '',
      explain: 'This build cannot update itself.',
    });
    expect(desktop({ state: 'unsupported', message: 'a .deb' }).title).toBe('a .deb');
    expect(desktop({ state: 'error', message: 'feed unreachable' })).toEqual({
      kind: 'explain',
      text: 'v0.8.0 · update check failed',
      title: 'feed unreachable',
      explain: 'The last update check failed: feed unreachable',
    });
    expect(desktop({ state: 'error' })).toMatchObject({
      title: '',
      explain: 'The last update check failed: unknown error',
    });
  });

  it('a server: up to date says when it was checked; an unreadable latest is offered', () => {
    expect(selfPill(server, 'checked 1m ago')).toEqual({
      kind: 'update',
      text: 'v0.8.0 → v0.9.0',
      title: 'v0.9.0 is available · checked 1m ago',
      button: 'Update now',
    });
    expect(selfPill({ ...server, stale: false }, 'checked 1m ago')).toEqual({
      kind: 'current',
      text: 'v0.8.0',
      title: 'up to date · checked 1m ago',
    });
    expect(selfPill({ ...server, latest: null }, 'c').kind).toBe('current');
    expect(selfPill({ ...server, latest: '0.8.0' }, 'c').kind).toBe('current');
    expect(selfPill({ ...server, latest: 'next' }, 'c').kind).toBe('update');
  });
});
