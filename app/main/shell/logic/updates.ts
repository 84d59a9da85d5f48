// Desktop updates, decided without Electron: whether this build can update itself (and if not, a
// plain sentence why), the state folded from electron-updater's events, when to check, and what
// the tray and the dashboard say. The adapter (../updater.ts) feeds events in and acts.
import { compareVersions, type DesktopUpdate } from '../../../shared/index.ts';

export type UpdateState = DesktopUpdate;

/** First check soon after start (the app is up and the daemon answering), then daily. */
export const FIRST_CHECK_DELAY_MS = 10_000;
export const CHECK_EVERY_MS = 24 * 3600_000;

/** Where the releases are listed: the documented default feed (electron-builder.config.cjs `publish`). */
export const RELEASES_PAGE = 'https://github.com/pipedai/pipedai-orchestrator/releases';

/** What `codesign -dv` says about the app bundle: only a Developer ID signature can update. */
export type MacSignature = 'developer-id' | 'adhoc' | 'unsigned';

/**
 * Read `codesign -dv --verbose=2 <App.app>` (it writes to stderr): Squirrel.Mac installs an update
 * only into an app signed with a Developer ID (a TeamIdentifier); an ad-hoc or missing signature
 * fails its check at install time, after the download.
 */
export function macSignatureOf(exitCode: number | null, output: string): MacSignature {
  if (exitCode !== 0 || /not signed at all/i.test(output)) return 'unsigned';
  if (/Signature=adhoc/i.test(output)) return 'adhoc';
  const team = /^TeamIdentifier=(.+)$/m.exec(output)?.[1]?.trim();
  return team && team !== 'not set' ? 'developer-id' : 'adhoc';
}

export interface BuildFacts {
  platform: NodeJS.Platform;
  /** app.isPackaged: false when run from a checkout (`npm start`). */
  isPackaged: boolean;
  /** $APPIMAGE: set by the AppImage runtime. */
  appImage: string | undefined;
  /** $PORTABLE_EXECUTABLE_FILE: set by electron-builder's Windows portable build. */
  portableExe: string | undefined;
  /** resources/package-type, written by electron-builder for deb, rpm and pacman builds. */
  packageType: string | null;
  macSignature: MacSignature | null;
  /** resources/app-update.yml exists, or a feed URL is set (PIPEDAI_UPDATE_URL). */
  hasFeed: boolean;
}

export type Support = { supported: true } | { supported: false; reason: string };

/** Can this build update itself? When it cannot, say so plainly and say what to do instead. */
export function updateSupport(b: BuildFacts): Support {
  const no = (reason: string): Support => ({ supported: false, reason });
  if (!b.isPackaged)
    return no('Running from a checkout: update it with `git pull && npm ci && npm run build`.');
  if (b.platform === 'linux') {
    if (b.packageType === 'deb')
      return no(
        'Installed from a .deb: your package manager owns updates (install the new .deb, or `sudo apt upgrade` from a repository).',
      );
    if (b.packageType === 'rpm' || b.packageType === 'pacman')
      return no(
        `Installed from a ${b.packageType} package: your package manager owns updates (dnf, zypper or pacman).`,
      );
    if (!b.appImage)
      return no(
        `This build is not an AppImage, so it cannot replace itself: download the new version from ${RELEASES_PAGE}.`,
      );
  }
  if (b.platform === 'darwin' && b.macSignature !== 'developer-id')
    return no(
      `This macOS build is ${b.macSignature === 'adhoc' ? 'signed ad hoc' : 'not signed'}: macOS installs updates only into an app signed with a Developer ID. Download the new version from ${RELEASES_PAGE}.`,
    );
  if (b.platform === 'win32' && b.portableExe)
    return no(
      `The portable build cannot update itself: download the new version from ${RELEASES_PAGE}.`,
    );
  if (!b.hasFeed)
    return no(
      'This build has no update feed (built without a `publish` configuration); set PIPEDAI_UPDATE_URL to a generic feed.',
    );
  return { supported: true };
}

/** electron-updater's events, as the adapter reports them. */
export type UpdaterEvent =
  | { type: 'checking' }
  | { type: 'available'; version: string }
  | { type: 'not-available' }
  | { type: 'progress'; percent: number }
  | { type: 'downloaded'; version: string }
  | { type: 'error'; message: string }
  | { type: 'restarting' };

export function initialUpdateState(support: Support): UpdateState {
  return support.supported ? { state: 'idle' } : { state: 'unsupported', message: support.reason };
}

/**
 * Fold one event into the state. `current` is the running version: an "available" version that
 * is not newer is not an update (no downgrade, whatever the feed says). A downloaded update stays
 * ready through later checks, until the restart.
 */
export function nextUpdateState(s: UpdateState, e: UpdaterEvent, current: string): UpdateState {
  if (s.state === 'unsupported' || s.state === 'restarting') return s;
  const ready = s.state === 'ready';
  switch (e.type) {
    case 'checking':
      return ready || s.state === 'downloading' ? s : { state: 'checking' };
    case 'available': {
      if ((compareVersions(e.version, current) ?? 0) <= 0) return { state: 'up-to-date' };
      if (ready && s.version === e.version) return s;
      return { state: 'downloading', version: e.version, percent: 0 };
    }
    case 'not-available':
      return ready ? s : { state: 'up-to-date' };
    case 'progress':
      return s.state === 'downloading'
        ? { ...s, percent: Math.max(0, Math.min(100, Math.round(e.percent))) }
        : s;
    case 'downloaded':
      return (compareVersions(e.version, current) ?? 0) > 0
        ? { state: 'ready', version: e.version }
        : { state: 'up-to-date' };
    case 'error':
      // A failed later check does not lose an update that is already on disk.
      return ready ? s : { state: 'error', message: e.message };
    case 'restarting':
      return ready ? { state: 'restarting', version: s.version } : s;
  }
}

/** The error electron-updater reports, short enough for a tray and a notification. */
export function updateErrorMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const first = text.split('\n')[0] ?? text;
  return first.length > 200 ? `${first.slice(0, 199)}…` : first;
}

export type UpdateMenuItem = { label: string; action: 'check' | 'restart' | null };

/** The tray's update line: what it says, and what a click does (null: nothing, it is a status). */
export function updateMenuItem(s: UpdateState): UpdateMenuItem {
  switch (s.state) {
    case 'ready':
      return { label: `Restart to update (v${s.version})`, action: 'restart' };
    case 'restarting':
      return { label: `Restarting into v${s.version}…`, action: null };
    case 'downloading':
      return { label: `Downloading v${s.version}… ${s.percent ?? 0}%`, action: null };
    case 'checking':
      return { label: 'Checking for updates…', action: null };
    case 'unsupported':
      return { label: 'Updates: not from this app (see the dashboard)', action: null };
    case 'error':
      return { label: 'Check for updates (the last check failed)', action: 'check' };
    case 'idle':
    case 'up-to-date':
      return { label: 'Check for updates', action: 'check' };
  }
}

/** A notification when a check the person asked for ends, or when an update is ready. */
export function updateNotice(
  before: UpdateState,
  after: UpdateState,
  o: { manual: boolean; current: string },
): { title: string; body: string } | null {
  if (after.state === 'ready' && before.state !== 'ready')
    return {
      title: 'Update ready',
      body: `PipedAI Orchestrator ${after.version} is downloaded. Restart to update (tray or dashboard): the workers keep running.`,
    };
  if (!o.manual || before.state === after.state) return null;
  if (after.state === 'up-to-date')
    return {
      title: 'PipedAI Orchestrator is up to date',
      body: `Version ${o.current} is the latest.`,
    };
  if (after.state === 'error') return { title: 'Update check failed', body: after.message ?? '' };
  return null;
}
