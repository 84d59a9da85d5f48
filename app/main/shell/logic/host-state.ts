// The host's aggregate state (one tray icon says it) and the icon file for each state and panel.
import { isCrashLooping, type FusedWorker } from '../../../shared/index.ts';
import type { ShellState } from './shell-state.ts';

export const HOST_STATES = ['running', 'degraded', 'crashloop', 'offline', 'notconnected'] as const;
export type HostState = (typeof HOST_STATES)[number];

/** Is this worker meant to run on this host? Stopped and disabled ones are left out of the verdict. */
const meantToRun = (w: FusedWorker): boolean =>
  w.desiredState === 'enabled' && w.remote?.disabled !== true;

/** PipedAI's view of it is out of date because this host cannot read it (not a late heartbeat). */
export const unreachableStale = (w: FusedWorker): boolean =>
  w.remote?.stale === true && w.remote.staleReason !== 'heartbeat-late';

/** PipedAI still says online, but the worker's heartbeats stopped reaching it. */
export const heartbeatLate = (w: FusedWorker): boolean =>
  w.remote?.stale === true && w.remote.staleReason === 'heartbeat-late';

/**
 * Precedence: no daemon → offline; no workers → not connected; a crash loop; no network, or
 * PipedAI's status unreadable (stale) → offline; a worker that should run and does not, or whose
 * heartbeats are late (or none meant to run) → degraded; else running.
 */
export function aggregateHostState(s: Pick<ShellState, 'link' | 'workers' | 'verdict'>): HostState {
  if (s.link !== 'open' || s.workers === null) return 'offline';
  if (s.workers.length === 0) return 'notconnected';
  if (s.workers.some(isCrashLooping)) return 'crashloop';
  if (s.verdict === 'offline' || s.verdict === 'api-unreachable') return 'offline';
  const active = s.workers.filter(meantToRun);
  if (active.some(unreachableStale)) return 'offline';
  if (active.length === 0) return 'degraded';
  const healthy = (w: FusedWorker) => w.local?.state === 'running' && !heartbeatLate(w);
  return active.every(healthy) ? 'running' : 'degraded';
}

export type TrayTheme = 'light' | 'dark' | 'template';

/**
 * macOS tints template images itself. Windows draws the tray on the taskbar, whose colour follows
 * the system theme ("Choose your default Windows mode"), not the apps' theme: the two differ in
 * the default "custom" setting (dark taskbar, light apps). Linux panels are dark on the common
 * desktops (GNOME, KDE's default) whatever the app theme says, so light glyphs.
 */
export function trayTheme(
  platform: NodeJS.Platform,
  dark: { app: boolean; taskbar: boolean },
): TrayTheme {
  if (platform === 'darwin') return 'template';
  if (platform === 'win32') return dark.taskbar ? 'dark' : 'light';
  return 'dark';
}

/**
 * The file under build/tray. Electron picks the `@2x` sibling itself on HiDPI screens; Linux
 * trays draw at 22–24 px and scale the 32 px file down more cleanly than the 16 px one up.
 * Windows gets an ICO holding both sizes (what its notification area is made for; Electron's
 * docs recommend it there), so the shell picks the size for the display's scale.
 */
export function trayIconFile(
  state: HostState,
  platform: NodeJS.Platform,
  theme: TrayTheme,
): string {
  if (theme === 'template') return `tray-${state}Template.png`;
  if (platform === 'win32') return `tray-${state}-${theme}.ico`;
  return platform === 'linux' ? `tray-${state}-${theme}@2x.png` : `tray-${state}-${theme}.png`;
}
