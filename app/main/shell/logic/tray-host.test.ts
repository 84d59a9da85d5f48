import { describe, expect, it } from 'vitest';
import {
  STATUS_NOTIFIER_WATCHER,
  TRAY_HOST_WAIT_MS,
  noTrayNotice,
  parseNameHasOwner,
  trayHostReadiness,
} from './tray-host.ts';

describe('tray host readiness', () => {
  it('macOS and Windows always have a tray', () => {
    for (const platform of ['darwin', 'win32'] as const)
      expect(trayHostReadiness({ platform, watcherPresent: false, waitedMs: 0 })).toBe('create');
  });

  it("Linux: creates the icon once the panel's StatusNotifier host is there", () => {
    expect(trayHostReadiness({ platform: 'linux', watcherPresent: true, waitedMs: 0 })).toBe(
      'create',
    );
  });

  it('Linux at login: waits for a panel that is not up yet, then gives up', () => {
    expect(trayHostReadiness({ platform: 'linux', watcherPresent: false, waitedMs: 0 })).toBe(
      'wait',
    );
    expect(
      trayHostReadiness({
        platform: 'linux',
        watcherPresent: false,
        waitedMs: TRAY_HOST_WAIT_MS - 1,
      }),
    ).toBe('wait');
    expect(
      trayHostReadiness({ platform: 'linux', watcherPresent: false, waitedMs: TRAY_HOST_WAIT_MS }),
    ).toBe('none');
  });

  it('Linux with no way to ask (no gdbus, no session bus): as Electron would, at once', () => {
    expect(trayHostReadiness({ platform: 'linux', watcherPresent: null, waitedMs: 0 })).toBe(
      'create',
    );
  });

  it("reads gdbus's NameHasOwner answer, and nothing else", () => {
    expect(parseNameHasOwner('(true,)\n')).toBe(true);
    expect(parseNameHasOwner('(false,)\n')).toBe(false);
    expect(parseNameHasOwner('')).toBeNull();
    expect(
      parseNameHasOwner('Error: GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown'),
    ).toBeNull();
    expect(parseNameHasOwner('Warning: (true,)')).toBeNull();
    expect(parseNameHasOwner('(true,) (false,)')).toBeNull();
  });

  it("asks the session bus for the StatusNotifier host's well-known name", () => {
    expect(STATUS_NOTIFIER_WATCHER).toBe('org.kde.StatusNotifierWatcher');
  });

  it('says how to get a tray: the GNOME extension on GNOME, the panel elsewhere', () => {
    expect(noTrayNotice('ubuntu:GNOME').detail).toContain('gnome-shell-extension-appindicator');
    expect(noTrayNotice('GNOME').detail).toContain('log out and back in');
    expect(noTrayNotice('XFCE').detail).not.toContain('GNOME');
    expect(noTrayNotice('XFCE')).toEqual({
      message: 'No tray icon on this desktop',
      detail:
        "Your desktop's panel has no tray (StatusNotifierItem) area: add one, or install your desktop's AppIndicator support, then start the app again.\n\nUntil then, the workers keep running while this window is closed: open PipedAI Orchestrator from your applications to bring it back.",
    });
    // Either way: the window comes back from the app launcher, the workers keep running.
    expect(noTrayNotice(undefined).detail).toContain('workers keep running');
  });
});
