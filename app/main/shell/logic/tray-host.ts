// Where the tray icon can appear. On Linux, Electron's tray is a StatusNotifierItem: it shows only
// if a StatusNotifier host (the panel's tray) holds org.kde.StatusNotifierWatcher on the session
// bus when the Tray is created, and Electron never registers again. Started at login, the app may
// run before the panel does; stock GNOME has no host at all without an extension.

/** The bus name a StatusNotifier host owns. */
export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';
/** How long a start at login waits for the panel's tray before creating the icon anyway. */
export const TRAY_HOST_WAIT_MS = 30_000;
export const TRAY_HOST_POLL_MS = 1_000;

/**
 * create: now (macOS and Windows always have a tray; on Linux the host is there, or we cannot
 * tell, and Electron's own behaviour is the best guess); wait: ask again shortly; none: create
 * it anyway, and show the window and say the desktop shows no tray icons.
 */
export type TrayHostReadiness = 'create' | 'wait' | 'none';

export function trayHostReadiness(o: {
  platform: NodeJS.Platform;
  /** Does a process own the watcher name? null: could not ask (no gdbus, no session bus). */
  watcherPresent: boolean | null;
  waitedMs: number;
}): TrayHostReadiness {
  if (o.platform !== 'linux' || o.watcherPresent !== false) return 'create';
  return o.waitedMs < TRAY_HOST_WAIT_MS ? 'wait' : 'none';
}

/** gdbus's answer to NameHasOwner: `(true,)` or `(false,)`; anything else: unknown. */
export function parseNameHasOwner(stdout: string): boolean | null {
  const m = /^\((true|false),\)$/.exec(stdout.trim());
  return m ? m[1] === 'true' : null;
}

/** What the app says when it found no tray on this desktop (it shows its window instead). */
export function noTrayNotice(currentDesktop: string | undefined): {
  message: string;
  detail: string;
} {
  // Stryker disable next-line StringLiteral: no desktop name reads as one that is not GNOME, as any other word
  const gnome = /gnome|ubuntu|unity/i.test(currentDesktop ?? '');
  const how = gnome
    ? 'GNOME shows tray icons only with an extension: install "AppIndicator and KStatusNotifierItem Support" (Debian and Ubuntu: sudo apt install gnome-shell-extension-appindicator), turn it on in Extensions, then log out and back in.'
    : "Your desktop's panel has no tray (StatusNotifierItem) area: add one, or install your desktop's AppIndicator support, then start the app again.";
  return {
    message: 'No tray icon on this desktop',
    detail: `${how}\n\nUntil then, the workers keep running while this window is closed: open PipedAI Orchestrator from your applications to bring it back.`,
  };
}
