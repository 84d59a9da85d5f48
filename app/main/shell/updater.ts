// The desktop app's own updates through electron-updater and electron-builder's `publish` feed:
// checked at start and daily, downloaded in the background, installed by "Restart to update",
// which first hands the running workers over (they keep running; the new version adopts them).
// Decisions are in ./logic/updates.ts; this file only reads the build's facts and drives the
// updater.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { app } from 'electron';
import { AppImageUpdater, MacUpdater, NsisUpdater, type AppUpdater } from 'electron-updater';
import { CommandError } from '../../shared/index.ts';
import {
  CHECK_EVERY_MS,
  FIRST_CHECK_DELAY_MS,
  initialUpdateState,
  macSignatureOf,
  nextUpdateState,
  updateErrorMessage,
  updateNotice,
  updateSupport,
  type BuildFacts,
  type MacSignature,
  type UpdateState,
  type UpdaterEvent,
} from './logic/updates.ts';

export interface DesktopUpdater {
  view(): UpdateState;
  /** Ask the feed now; `manual` answers with a notification even when there is nothing new. */
  check(manual: boolean): Promise<void>;
  /** Restart into the downloaded update: hand the workers over, then quit and install. */
  restart(): Promise<void>;
  onChange(listener: (s: UpdateState) => void): () => void;
  dispose(): void;
}

export interface DesktopUpdaterOptions {
  version: string;
  facts: BuildFacts;
  /** PIPEDAI_UPDATE_URL: a generic feed in place of the built-in one (app-update.yml). */
  feedUrl: string | null;
  /** Hands the workers over and closes the daemon link; the app must not drain on quit. */
  beforeRestart: () => Promise<void>;
  notify: (n: { title: string; body: string }) => void;
  log: (line: string) => void;
  /** electron-updater's updater for this platform (the default picks it by platform). */
  createUpdater?: () => AppUpdater;
}

/** The facts updateSupport() decides on, read from the running build. */
export async function readBuildFacts(feedUrl: string | null): Promise<BuildFacts> {
  const resources = process.resourcesPath ?? '';
  const packageTypeFile = join(resources, 'package-type');
  const packageType =
    resources && existsSync(packageTypeFile) ? readFileSync(packageTypeFile, 'utf8').trim() : null;
  return {
    platform: process.platform,
    isPackaged: app.isPackaged,
    appImage: process.env.APPIMAGE,
    portableExe: process.env.PORTABLE_EXECUTABLE_FILE,
    packageType,
    macSignature: process.platform === 'darwin' ? await macSignature() : null,
    hasFeed:
      feedUrl !== null || (resources !== '' && existsSync(join(resources, 'app-update.yml'))),
  };
}

/** `codesign -dv` of the .app bundle (…/X.app/Contents/MacOS/X), bounded to 5 s. */
function macSignature(): Promise<MacSignature> {
  const bundle = dirname(dirname(dirname(process.execPath)));
  return new Promise((resolve) => {
    execFile('codesign', ['-dv', '--verbose=2', bundle], { timeout: 5_000 }, (error, _out, err) =>
      resolve(macSignatureOf(error ? ((error.code as number | undefined) ?? 1) : 0, String(err))),
    );
  });
}

/** electron-updater's updater for the platform (the AppImage one on Linux: the only kind that updates). */
function defaultUpdater(platform: NodeJS.Platform): AppUpdater {
  if (platform === 'win32') return new NsisUpdater();
  if (platform === 'darwin') return new MacUpdater();
  return new AppImageUpdater();
}

export function createDesktopUpdater(o: DesktopUpdaterOptions): DesktopUpdater {
  const support = updateSupport(o.facts);
  let state = initialUpdateState(support);
  const listeners = new Set<(s: UpdateState) => void>();
  let manualPending = false;
  const timers: Array<ReturnType<typeof setTimeout>> = [];

  const feed = (e: UpdaterEvent): void => {
    const before = state;
    state = nextUpdateState(state, e, o.version);
    if (state === before) return;
    const notice = updateNotice(before, state, { manual: manualPending, current: o.version });
    if (state.state === 'up-to-date' || state.state === 'error' || state.state === 'ready')
      manualPending = false;
    if (notice) o.notify(notice);
    for (const l of listeners) l(state);
  };

  if (!support.supported) {
    o.log(`updates: ${support.reason}`);
    return {
      view: () => state,
      check: async () => undefined,
      restart: async () => {
        throw new CommandError('conflict', support.reason);
      },
      onChange: () => () => undefined,
      dispose: () => undefined,
    };
  }

  const updater = (o.createUpdater ?? (() => defaultUpdater(o.facts.platform)))();
  updater.logger = {
    info: () => undefined,
    warn: (m: unknown) => o.log(`updates: ${String(m)}`),
    error: (m: unknown) => o.log(`updates: ${String(m)}`),
  };
  updater.autoDownload = true;
  // A normal Quit installs a downloaded update too; the app is closing anyway.
  updater.autoInstallOnAppQuit = true;
  if (o.feedUrl) updater.setFeedURL({ provider: 'generic', url: o.feedUrl });
  // Never an older version, whatever the feed says (setting a channel would allow it).
  updater.allowDowngrade = false;

  updater.on('checking-for-update', () => feed({ type: 'checking' }));
  updater.on('update-available', (info: { version: string }) =>
    feed({ type: 'available', version: info.version }),
  );
  updater.on('update-not-available', () => feed({ type: 'not-available' }));
  updater.on('download-progress', (p: { percent: number }) =>
    feed({ type: 'progress', percent: p.percent }),
  );
  updater.on('update-downloaded', (info: { version: string }) =>
    feed({ type: 'downloaded', version: info.version }),
  );
  updater.on('error', (e: unknown) => feed({ type: 'error', message: updateErrorMessage(e) }));

  const check = async (manual: boolean): Promise<void> => {
    if (state.state === 'restarting') return;
    manualPending ||= manual;
    try {
      const r = await updater.checkForUpdates();
      // The download runs in the background; its end arrives as an event.
      await r?.downloadPromise?.catch(() => undefined);
    } catch (e) {
      feed({ type: 'error', message: updateErrorMessage(e) });
    }
  };
  timers.push(setTimeout(() => void check(false), FIRST_CHECK_DELAY_MS));
  timers.push(setInterval(() => void check(false), CHECK_EVERY_MS));
  for (const t of timers) t.unref?.();

  return {
    view: () => state,
    check,
    async restart() {
      if (state.state !== 'ready')
        throw new CommandError(
          'conflict',
          state.state === 'downloading'
            ? `the update to ${state.version} is still downloading (${state.percent ?? 0}%)`
            : 'no update has been downloaded',
        );
      feed({ type: 'restarting' });
      o.log(`updates: restarting into ${state.version}`);
      await o.beforeRestart();
      // Silent install (NSIS), and start the new version once it is in place.
      updater.quitAndInstall(true, true);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    dispose() {
      for (const t of timers) clearTimeout(t);
      listeners.clear();
    },
  };
}
