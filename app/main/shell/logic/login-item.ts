// "Launch at login": Electron's login items on macOS and Windows, an XDG autostart entry on Linux
// (rendered by app/main/service/autostart.ts). Started at login, the app stays in the tray.

import { HIDDEN_ARG } from '../../../shared/index.ts';

export interface AppLaunch {
  /** process.execPath */
  execPath: string;
  /** The app folder when running unpackaged (`electron .`): Electron needs it as an argument. */
  unpackagedAppPath: string | null;
  /** $APPIMAGE when running from an AppImage. */
  appImagePath: string | undefined;
}

/** The subset of Electron's login item Settings we set. */
export interface LoginItemSettings {
  openAtLogin: boolean;
  path?: string;
  args?: string[];
}

export type LoginItemPlan =
  | { kind: 'login-item'; settings: LoginItemSettings }
  | {
      kind: 'xdg';
      enable: boolean;
      launch: { execPath: string; appImagePath?: string; args: string[] };
    }
  | { kind: 'unsupported' };

const launchArgs = (l: AppLaunch): string[] =>
  l.unpackagedAppPath === null ? [HIDDEN_ARG] : [l.unpackagedAppPath, HIDDEN_ARG];

/** How to switch the login start on or off on this platform. */
export function loginItemPlan(
  platform: NodeJS.Platform,
  enable: boolean,
  launch: AppLaunch,
): LoginItemPlan {
  // A development run on macOS would register the bare Electron.app (no app folder argument
  // survives a login item there): only a packaged app offers the setting.
  if (platform === 'darwin' && launch.unpackagedAppPath !== null) return { kind: 'unsupported' };
  if (platform === 'darwin') {
    // macOS 13+ ignores launch arguments for login items: the app reads wasOpenedAtLogin instead.
    return { kind: 'login-item', settings: { openAtLogin: enable } };
  }
  if (platform === 'win32') {
    return {
      kind: 'login-item',
      settings: { openAtLogin: enable, path: launch.execPath, args: launchArgs(launch) },
    };
  }
  if (platform === 'linux') {
    return {
      kind: 'xdg',
      enable,
      launch: {
        execPath: launch.execPath,
        ...(launch.appImagePath ? { appImagePath: launch.appImagePath } : {}),
        args: launchArgs(launch),
      },
    };
  }
  return { kind: 'unsupported' };
}

/** How to read the current setting back: Windows compares the same path and arguments. */
export function loginItemQuery(
  platform: NodeJS.Platform,
  launch: AppLaunch,
):
  | { kind: 'login-item'; options?: { path: string; args: string[] } }
  | { kind: 'xdg' }
  | { kind: 'unsupported' } {
  if (platform === 'darwin')
    return launch.unpackagedAppPath === null ? { kind: 'login-item' } : { kind: 'unsupported' };
  if (platform === 'win32')
    return { kind: 'login-item', options: { path: launch.execPath, args: launchArgs(launch) } };
  if (platform === 'linux') return { kind: 'xdg' };
  return { kind: 'unsupported' };
}

/** What the "Launch at login" checkbox shows: whether the app will start, and why not, or what is pending. */
export interface LoginItemState {
  on: boolean;
  /** Shown beside the label: what the person must do, or why the setting reads off. */
  note: string | null;
}

/** The part of Electron's LoginItemSettings that says whether the app will really start. */
export interface LoginItemReading {
  openAtLogin: boolean;
  /** macOS 13+: SMAppService's status. */
  status?: 'not-registered' | 'enabled' | 'requires-approval' | 'not-found';
  /** Windows: false when the run key is there but turned off (Task Manager, Settings › Startup). */
  executableWillLaunchAtLogin?: boolean;
}

/** Electron's reading of a login item, as the checkbox shows it. */
export function loginItemState(platform: NodeJS.Platform, r: LoginItemReading): LoginItemState {
  if (platform === 'darwin' && r.status !== undefined) {
    if (r.status === 'requires-approval')
      return { on: true, note: 'allow it in System Settings › General › Login Items' };
    return { on: r.status === 'enabled', note: null };
  }
  if (platform === 'win32' && r.openAtLogin && r.executableWillLaunchAtLogin === false)
    return { on: false, note: 'turned off in Task Manager' };
  return { on: r.openAtLogin, note: null };
}

/** The checkbox label: the note, when there is one, says what stands between the setting and reality. */
export function loginItemLabel(state: LoginItemState | null): string {
  return state?.note ? `Launch at login (${state.note})` : 'Launch at login';
}

/** Start in the tray only (no window) when launched at login. */
export function startsHidden(o: {
  argv: readonly string[];
  platform: NodeJS.Platform;
  wasOpenedAtLogin: boolean;
}): boolean {
  return o.argv.includes(HIDDEN_ARG) || (o.platform === 'darwin' && o.wasOpenedAtLogin);
}
