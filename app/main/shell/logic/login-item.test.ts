import { describe, expect, it } from 'vitest';
import { loadTemplate } from '../../service/render.ts';
import { renderAutostartEntry } from '../../service/index.ts';
import { HIDDEN_ARG } from '../../../shared/index.ts';
import {
  loginItemLabel,
  loginItemPlan,
  loginItemQuery,
  loginItemState,
  startsHidden,
  type AppLaunch,
} from './login-item.ts';

const packaged = (execPath: string, appImagePath?: string): AppLaunch => ({
  execPath,
  unpackagedAppPath: null,
  appImagePath,
});

describe('launch at login per platform', () => {
  it('macOS: a login item, nothing else to pass', () => {
    const l = packaged(
      '/Applications/PipedAI Orchestrator.app/Contents/MacOS/PipedAI Orchestrator',
    );
    expect(loginItemPlan('darwin', true, l)).toEqual({
      kind: 'login-item',
      settings: { openAtLogin: true },
    });
    expect(loginItemPlan('darwin', false, l)).toEqual({
      kind: 'login-item',
      settings: { openAtLogin: false },
    });
    expect(loginItemQuery('darwin', l)).toEqual({ kind: 'login-item' });
  });

  it('Windows: the run key starts this exe hidden, and is read back with the same path and args', () => {
    const exe =
      'C:\\Users\\Ann\\AppData\\Local\\Programs\\PipedAI Orchestrator\\PipedAI Orchestrator.exe';
    expect(loginItemPlan('win32', true, packaged(exe))).toEqual({
      kind: 'login-item',
      settings: { openAtLogin: true, path: exe, args: [HIDDEN_ARG] },
    });
    expect(loginItemPlan('win32', false, packaged(exe))).toMatchObject({
      settings: { openAtLogin: false, path: exe },
    });
    expect(loginItemQuery('win32', packaged(exe))).toEqual({
      kind: 'login-item',
      options: { path: exe, args: [HIDDEN_ARG] },
    });
  });

  it('an unpackaged app passes its folder to Electron first', () => {
    const dev: AppLaunch = {
      execPath: 'C:\\dev\\node_modules\\electron\\dist\\electron.exe',
      unpackagedAppPath: 'C:\\dev\\pipedai',
      appImagePath: undefined,
    };
    expect(loginItemPlan('win32', true, dev)).toMatchObject({
      settings: { args: ['C:\\dev\\pipedai', HIDDEN_ARG] },
    });
  });

  it('a development run on macOS offers no login item (it would register bare Electron.app)', () => {
    const dev: AppLaunch = {
      execPath: '/dev/node_modules/electron/dist/Electron.app/Contents/MacOS/Electron',
      unpackagedAppPath: '/dev/pipedai',
      appImagePath: undefined,
    };
    expect(loginItemPlan('darwin', true, dev)).toEqual({ kind: 'unsupported' });
    expect(loginItemQuery('darwin', dev)).toEqual({ kind: 'unsupported' });
  });

  it('Linux: an XDG autostart entry that starts the AppImage itself, hidden', async () => {
    const plan = loginItemPlan(
      'linux',
      true,
      packaged(
        '/tmp/.mount_PipedAxyz/pipedai-orchestrator',
        '/home/ann/Apps/PipedAI Orchestrator.AppImage',
      ),
    );
    expect(plan).toEqual({
      kind: 'xdg',
      enable: true,
      launch: {
        execPath: '/tmp/.mount_PipedAxyz/pipedai-orchestrator',
        appImagePath: '/home/ann/Apps/PipedAI Orchestrator.AppImage',
        args: [HIDDEN_ARG],
      },
    });
    if (plan.kind !== 'xdg') throw new Error('expected an xdg plan');
    // Rendered with the shipped template: the AppImage path, space escaped per the spec.
    const entry = renderAutostartEntry(plan.launch, await loadTemplate('autostart.desktop'));
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toMatch(/^Exec="\/home\/ann\/Apps\/PipedAI Orchestrator\.AppImage" --hidden$/m);
    expect(entry).not.toContain('.mount_');
    expect(loginItemQuery('linux', packaged('/x'))).toEqual({ kind: 'xdg' });
  });

  it('Linux from a deb: the installed binary', async () => {
    const plan = loginItemPlan(
      'linux',
      true,
      packaged('/opt/PipedAI Orchestrator/pipedai-orchestrator'),
    );
    if (plan.kind !== 'xdg') throw new Error('expected an xdg plan');
    expect(plan.launch).toEqual({
      execPath: '/opt/PipedAI Orchestrator/pipedai-orchestrator',
      args: [HIDDEN_ARG],
    });
    const entry = renderAutostartEntry(plan.launch, await loadTemplate('autostart.desktop'));
    expect(entry).toMatch(/^Exec="\/opt\/PipedAI Orchestrator\/pipedai-orchestrator" --hidden$/m);
  });

  it('other platforms have no login start', () => {
    expect(loginItemPlan('freebsd', true, packaged('/usr/local/bin/x'))).toEqual({
      kind: 'unsupported',
    });
    expect(loginItemQuery('aix', packaged('/x'))).toEqual({ kind: 'unsupported' });
  });

  it('starts hidden when launched at login', () => {
    expect(
      startsHidden({ argv: ['/app', HIDDEN_ARG], platform: 'linux', wasOpenedAtLogin: false }),
    ).toBe(true);
    expect(startsHidden({ argv: ['/app'], platform: 'linux', wasOpenedAtLogin: false })).toBe(
      false,
    );
    expect(startsHidden({ argv: ['/app'], platform: 'darwin', wasOpenedAtLogin: true })).toBe(true);
    // Only macOS reports wasOpenedAtLogin.
    expect(startsHidden({ argv: ['/app'], platform: 'win32', wasOpenedAtLogin: true })).toBe(false);
  });

  describe('what the checkbox shows', () => {
    it('macOS 13+: enabled is on, waiting for approval is on with what to do, the rest off', () => {
      expect(loginItemState('darwin', { openAtLogin: true, status: 'enabled' })).toEqual({
        on: true,
        note: null,
      });
      const pending = loginItemState('darwin', { openAtLogin: false, status: 'requires-approval' });
      expect(pending.on).toBe(true);
      expect(loginItemLabel(pending)).toBe(
        'Launch at login (allow it in System Settings › General › Login Items)',
      );
      for (const status of ['not-registered', 'not-found'] as const)
        expect(loginItemState('darwin', { openAtLogin: true, status }).on).toBe(false);
      // Before macOS 13 there is no status: openAtLogin says it.
      expect(loginItemState('darwin', { openAtLogin: true })).toEqual({ on: true, note: null });
    });

    it('Windows: a run key turned off in Task Manager reads off, and says where', () => {
      const off = loginItemState('win32', {
        openAtLogin: true,
        executableWillLaunchAtLogin: false,
      });
      expect(off).toEqual({ on: false, note: 'turned off in Task Manager' });
      expect(loginItemLabel(off)).toBe('Launch at login (turned off in Task Manager)');
      expect(
        loginItemState('win32', { openAtLogin: true, executableWillLaunchAtLogin: true }),
      ).toEqual({ on: true, note: null });
      expect(
        loginItemState('win32', { openAtLogin: false, executableWillLaunchAtLogin: false }),
      ).toEqual({ on: false, note: null });
    });

    it("elsewhere: openAtLogin says it; macOS's and Windows' own fields mean nothing there", () => {
      expect(loginItemState('linux', { openAtLogin: true, status: 'not-registered' })).toEqual({
        on: true,
        note: null,
      });
      expect(
        loginItemState('linux', { openAtLogin: true, executableWillLaunchAtLogin: false }),
      ).toEqual({ on: true, note: null });
      expect(loginItemState('win32', { openAtLogin: false, status: 'enabled' })).toEqual({
        on: false,
        note: null,
      });
    });

    it('the plain label when nothing stands in the way', () => {
      expect(loginItemLabel(null)).toBe('Launch at login');
      expect(loginItemLabel({ on: true, note: null })).toBe('Launch at login');
    });
  });
});
