import { describe, expect, it } from 'vitest';
import {
  initialUpdateState,
  macSignatureOf,
  nextUpdateState,
  updateMenuItem,
  updateNotice,
  updateSupport,
  type BuildFacts,
  type UpdateState,
  type UpdaterEvent,
} from './updates.ts';

const appImage: BuildFacts = {
  platform: 'linux',
  isPackaged: true,
  appImage: '/home/a/PipedAI.AppImage',
  portableExe: undefined,
  packageType: null,
  macSignature: null,
  hasFeed: true,
};

describe('updateSupport', () => {
  it('updates an AppImage, an NSIS install and a Developer-ID-signed Mac app', () => {
    expect(updateSupport(appImage)).toEqual({ supported: true });
    expect(updateSupport({ ...appImage, platform: 'win32', appImage: undefined })).toEqual({
      supported: true,
    });
    expect(
      updateSupport({
        ...appImage,
        platform: 'darwin',
        appImage: undefined,
        macSignature: 'developer-id',
      }),
    ).toEqual({ supported: true });
  });

  it('says plainly why a deb, an unsigned Mac app, a checkout or a portable build does not', () => {
    const reason = (b: Partial<BuildFacts>): string => {
      const s = updateSupport({ ...appImage, ...b });
      if (s.supported) throw new Error('expected unsupported');
      return s.reason;
    };
    expect(reason({ packageType: 'deb', appImage: undefined })).toMatch(
      /Installed from a \.deb: your package manager owns updates/,
    );
    expect(reason({ packageType: 'rpm', appImage: undefined })).toMatch(/rpm package/);
    expect(reason({ appImage: undefined })).toMatch(/not an AppImage/);
    expect(reason({ platform: 'darwin', macSignature: 'unsigned' })).toMatch(
      /not signed: macOS installs updates only into an app signed with a Developer ID/,
    );
    expect(reason({ platform: 'darwin', macSignature: 'adhoc' })).toMatch(/signed ad hoc/);
    expect(reason({ isPackaged: false })).toMatch(/Running from a checkout/);
    expect(reason({ platform: 'win32', portableExe: 'C:\\p.exe' })).toMatch(/portable build/);
    expect(reason({ hasFeed: false })).toMatch(/no update feed/);
  });
});

describe('macSignatureOf (codesign -dv output)', () => {
  it('tells a Developer ID from an ad-hoc signature and from none', () => {
    expect(
      macSignatureOf(0, 'Executable=/A.app/Contents/MacOS/A\nTeamIdentifier=ABCDE12345\n'),
    ).toBe('developer-id');
    expect(macSignatureOf(0, 'Signature=adhoc\nTeamIdentifier=not set\n')).toBe('adhoc');
    expect(macSignatureOf(0, 'TeamIdentifier=not set\n')).toBe('adhoc');
    expect(macSignatureOf(1, '/A.app: code object is not signed at all')).toBe('unsigned');
  });
});

describe('the update state', () => {
  const fold = (events: UpdaterEvent[], from: UpdateState = { state: 'idle' }): UpdateState =>
    events.reduce((s, e) => nextUpdateState(s, e, '0.8.0'), from);

  it('goes checking → downloading (with progress) → ready', () => {
    expect(
      fold([
        { type: 'checking' },
        { type: 'available', version: '0.9.0' },
        { type: 'progress', percent: 41.6 },
      ]),
    ).toEqual({ state: 'downloading', version: '0.9.0', percent: 42 });
    expect(
      fold([
        { type: 'checking' },
        { type: 'available', version: '0.9.0' },
        { type: 'downloaded', version: '0.9.0' },
      ]),
    ).toEqual({ state: 'ready', version: '0.9.0' });
  });

  it('never offers an older or the same version, whatever the feed says', () => {
    expect(fold([{ type: 'available', version: '0.7.1' }])).toEqual({ state: 'up-to-date' });
    expect(fold([{ type: 'available', version: '0.8.0' }])).toEqual({ state: 'up-to-date' });
    expect(fold([{ type: 'downloaded', version: '0.7.1' }])).toEqual({ state: 'up-to-date' });
  });

  it('keeps a downloaded update through later checks and failures, until the restart', () => {
    const ready: UpdateState = { state: 'ready', version: '0.9.0' };
    expect(fold([{ type: 'checking' }, { type: 'not-available' }], ready)).toBe(ready);
    expect(fold([{ type: 'error', message: 'offline' }], ready)).toBe(ready);
    expect(fold([{ type: 'restarting' }], ready)).toEqual({
      state: 'restarting',
      version: '0.9.0',
    });
    expect(fold([{ type: 'error', message: 'offline' }])).toEqual({
      state: 'error',
      message: 'offline',
    });
  });

  it('stays unsupported', () => {
    const s = initialUpdateState({ supported: false, reason: 'deb' });
    expect(fold([{ type: 'available', version: '9.0.0' }], s)).toBe(s);
  });
});

describe('what the tray and the notifications say', () => {
  it('offers Restart to update only when one is ready', () => {
    expect(updateMenuItem({ state: 'ready', version: '0.9.0' })).toEqual({
      label: 'Restart to update (v0.9.0)',
      action: 'restart',
    });
    expect(updateMenuItem({ state: 'downloading', version: '0.9.0', percent: 5 })).toEqual({
      label: 'Downloading v0.9.0… 5%',
      action: null,
    });
    expect(updateMenuItem({ state: 'up-to-date' }).action).toBe('check');
    expect(updateMenuItem({ state: 'unsupported', message: 'deb' }).action).toBeNull();
  });

  it('tells a ready update once, and answers a manual check either way', () => {
    const ready: UpdateState = { state: 'ready', version: '0.9.0' };
    const o = { manual: false, current: '0.8.0' };
    expect(updateNotice({ state: 'downloading', version: '0.9.0' }, ready, o)?.title).toBe(
      'Update ready',
    );
    expect(updateNotice(ready, ready, o)).toBeNull();
    expect(updateNotice({ state: 'checking' }, { state: 'up-to-date' }, o)).toBeNull();
    expect(
      updateNotice({ state: 'checking' }, { state: 'up-to-date' }, { ...o, manual: true })?.title,
    ).toBe('PipedAI Orchestrator is up to date');
  });
});
