import { describe, expect, it } from 'vitest';
import {
  CHECK_EVERY_MS,
  RELEASES_PAGE,
  initialUpdateState,
  macSignatureOf,
  nextUpdateState,
  updateErrorMessage,
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
    expect(reason({ packageType: 'pacman', appImage: undefined })).toMatch(
      /Installed from a pacman package: your package manager owns updates/,
    );
    expect(reason({ appImage: undefined })).toMatch(/not an AppImage/);
    expect(reason({ platform: 'darwin', macSignature: 'unsigned' })).toMatch(
      /not signed: macOS installs updates only into an app signed with a Developer ID/,
    );
    expect(reason({ platform: 'darwin', macSignature: 'adhoc' })).toMatch(/signed ad hoc/);
    expect(reason({ isPackaged: false })).toMatch(/Running from a checkout/);
    expect(reason({ platform: 'win32', portableExe: 'C:\\p.exe' })).toMatch(/portable build/);
    expect(reason({ hasFeed: false })).toMatch(/no update feed/);
    // Where to download instead: the releases page, named in full.
    expect(RELEASES_PAGE).toBe('https://github.com/pipedai/pipedai-orchestrator/releases');
    expect(reason({ appImage: undefined })).toContain(RELEASES_PAGE);
  });

  it("a portable build's variable means nothing off Windows", () => {
    expect(updateSupport({ ...appImage, portableExe: '/tmp/x' })).toEqual({ supported: true });
  });

  it('checks once a day', () => {
    expect(CHECK_EVERY_MS).toBe(24 * 60 * 60 * 1000);
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
    expect(macSignatureOf(0, '/A.app: code object is not signed at all')).toBe('unsigned');
    // codesign failing for another reason: no signature to trust either.
    expect(macSignatureOf(1, 'TeamIdentifier=ABCDE12345\n')).toBe('unsigned');
  });

  it('an ad-hoc signature, a signature without a team or a blank team is not a Developer ID', () => {
    expect(macSignatureOf(0, 'Signature=adhoc\nTeamIdentifier=ABCDE12345\n')).toBe('adhoc');
    expect(macSignatureOf(0, 'Executable=/A.app/Contents/MacOS/A\nSignature size=9000\n')).toBe(
      'adhoc',
    );
    expect(macSignatureOf(0, 'TeamIdentifier=not set  \n')).toBe('adhoc');
    expect(macSignatureOf(0, 'TeamIdentifier= \n')).toBe('adhoc');
    // Only the TeamIdentifier line counts, not the words inside another one.
    expect(
      macSignatureOf(
        0,
        'Info.plist entries=22 (no TeamIdentifier=ABCDE12345)\nTeamIdentifier=not set\n',
      ),
    ).toBe('adhoc');
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

  it('starts idle where updates work, and says why where they do not', () => {
    expect(initialUpdateState({ supported: true })).toEqual({ state: 'idle' });
    expect(initialUpdateState({ supported: false, reason: 'Installed from a .deb' })).toEqual({
      state: 'unsupported',
      message: 'Installed from a .deb',
    });
  });

  it('a check that finds nothing is up to date; one that finds the ready update keeps it', () => {
    expect(fold([{ type: 'checking' }, { type: 'not-available' }])).toEqual({
      state: 'up-to-date',
    });
    const ready: UpdateState = { state: 'ready', version: '0.9.0' };
    expect(fold([{ type: 'checking' }, { type: 'available', version: '0.9.0' }], ready)).toBe(
      ready,
    );
    // A newer one than the ready update is downloaded in its turn.
    expect(fold([{ type: 'available', version: '0.9.1' }], ready)).toEqual({
      state: 'downloading',
      version: '0.9.1',
      percent: 0,
    });
  });

  it('a check starts from idle, and does not interrupt a download', () => {
    expect(fold([{ type: 'checking' }])).toEqual({ state: 'checking' });
    const downloading: UpdateState = { state: 'downloading', version: '0.9.0', percent: 40 };
    expect(fold([{ type: 'checking' }], downloading)).toBe(downloading);
  });

  it('counts progress only while downloading', () => {
    expect(fold([{ type: 'checking' }, { type: 'progress', percent: 50 }])).toEqual({
      state: 'checking',
    });
    const at = (percent: number) =>
      fold([{ type: 'progress', percent }], { state: 'downloading', version: '0.9.0' });
    expect(at(-3)).toMatchObject({ percent: 0 });
    expect(at(140)).toMatchObject({ percent: 100 });
  });

  it('a new announcement of the version being downloaded starts it again from 0', () => {
    expect(
      fold([{ type: 'available', version: '0.9.0' }], {
        state: 'downloading',
        version: '0.9.0',
        percent: 40,
      }),
    ).toEqual({ state: 'downloading', version: '0.9.0', percent: 0 });
  });

  it('a download of the running version is no update', () => {
    expect(fold([{ type: 'downloaded', version: '0.8.0' }])).toEqual({ state: 'up-to-date' });
  });

  it('restarting is final: nothing the updater says afterwards changes it', () => {
    const restarting: UpdateState = { state: 'restarting', version: '0.9.0' };
    expect(
      fold(
        [{ type: 'checking' }, { type: 'error', message: 'x' }, { type: 'not-available' }],
        restarting,
      ),
    ).toBe(restarting);
    // …and a restart without a ready update is not one.
    expect(fold([{ type: 'restarting' }])).toEqual({ state: 'idle' });
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
    expect(updateMenuItem({ state: 'unsupported', message: 'deb' })).toEqual({
      label: 'Updates: not from this app (see the dashboard)',
      action: null,
    });
  });

  it('says what it is doing, and offers a new check after a failed one', () => {
    expect(updateMenuItem({ state: 'restarting', version: '0.9.0' })).toEqual({
      label: 'Restarting into v0.9.0…',
      action: null,
    });
    expect(updateMenuItem({ state: 'checking' })).toEqual({
      label: 'Checking for updates…',
      action: null,
    });
    expect(updateMenuItem({ state: 'error', message: 'offline' })).toEqual({
      label: 'Check for updates (the last check failed)',
      action: 'check',
    });
    expect(updateMenuItem({ state: 'idle' })).toEqual({
      label: 'Check for updates',
      action: 'check',
    });
  });

  it("keeps the updater's error to its first line, and at most 200 characters", () => {
    expect(updateErrorMessage(new Error('net::ERR_INTERNET_DISCONNECTED\n    at stack'))).toBe(
      'net::ERR_INTERNET_DISCONNECTED',
    );
    expect(updateErrorMessage('HttpError: 404')).toBe('HttpError: 404');
    expect(updateErrorMessage('x'.repeat(200))).toBe('x'.repeat(200));
    expect(updateErrorMessage('x'.repeat(201))).toBe(`${'x'.repeat(199)}…`);
  });

  it('tells a ready update once, and answers a manual check either way', () => {
    const ready: UpdateState = { state: 'ready', version: '0.9.0' };
    const o = { manual: false, current: '0.8.0' };
    expect(updateNotice({ state: 'downloading', version: '0.9.0' }, ready, o)).toEqual({
      title: 'Update ready',
      body: 'PipedAI Orchestrator 0.9.0 is downloaded. Restart to update (tray or dashboard): the workers keep running.',
    });
    expect(updateNotice(ready, ready, o)).toBeNull();
    expect(updateNotice({ state: 'checking' }, { state: 'up-to-date' }, o)).toBeNull();
    expect(
      updateNotice({ state: 'checking' }, { state: 'up-to-date' }, { ...o, manual: true })?.title,
    ).toBe('PipedAI Orchestrator is up to date');
  });

  it('tells a manual check that failed, and why', () => {
    const manual = { manual: true, current: '0.8.0' };
    expect(
      updateNotice({ state: 'checking' }, { state: 'error', message: 'HttpError: 404' }, manual),
    ).toEqual({ title: 'Update check failed', body: 'HttpError: 404' });
    expect(updateNotice({ state: 'checking' }, { state: 'error' }, manual)).toEqual({
      title: 'Update check failed',
      body: '',
    });
    expect(updateNotice({ state: 'idle' }, { state: 'checking' }, manual)).toBeNull();
    // A manual check that finds an update says so once it is ready, not before.
    expect(
      updateNotice({ state: 'checking' }, { state: 'downloading', version: '0.9.0' }, manual),
    ).toBeNull();
    // Nothing changed: nothing to tell (the tray already says it).
    expect(
      updateNotice({ state: 'error', message: 'a' }, { state: 'error', message: 'b' }, manual),
    ).toBeNull();
    expect(updateNotice({ state: 'checking' }, { state: 'up-to-date' }, manual)?.body).toBe(
      'Version 0.8.0 is the latest.',
    );
  });
});
