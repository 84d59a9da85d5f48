// Waits for the panel's tray (a StatusNotifier host) on Linux before the tray icon is created,
// asking the session bus with gdbus; what to do with the answer is logic/tray-host.ts.
import { execFile } from 'node:child_process';
import {
  STATUS_NOTIFIER_WATCHER,
  TRAY_HOST_POLL_MS,
  parseNameHasOwner,
  trayHostReadiness,
} from './logic/tray-host.ts';

/** One gdbus call answers in milliseconds; a hung bus must not hold the app up. */
const GDBUS_TIMEOUT_MS = 2_000;

/** Does a process own the StatusNotifier watcher name? null when gdbus or the bus is missing. */
function watcherPresent(): Promise<boolean | null> {
  return new Promise((resolve) => {
    execFile(
      'gdbus',
      [
        'call',
        '--session',
        '--dest',
        'org.freedesktop.DBus',
        '--object-path',
        '/org/freedesktop/DBus',
        '--method',
        'org.freedesktop.DBus.NameHasOwner',
        STATUS_NOTIFIER_WATCHER,
      ],
      { timeout: GDBUS_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout) => resolve(error ? null : parseNameHasOwner(stdout)),
    );
  });
}

/**
 * Resolves when the tray icon may be created: 'ready' at once off Linux, or once the panel's
 * tray is there (or we cannot tell); 'none' when it never came within the wait.
 */
export async function waitForTrayHost(platform: NodeJS.Platform): Promise<'ready' | 'none'> {
  const began = Date.now();
  for (;;) {
    const present = platform === 'linux' ? await watcherPresent() : null;
    const next = trayHostReadiness({
      platform,
      watcherPresent: present,
      waitedMs: Date.now() - began,
    });
    if (next === 'create') return 'ready';
    if (next === 'none') return 'none';
    await new Promise((r) => setTimeout(r, TRAY_HOST_POLL_MS));
  }
}
