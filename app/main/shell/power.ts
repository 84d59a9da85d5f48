// The operating system ending the session, and waking from sleep. Linux and macOS: powerMonitor's
// `shutdown` (Electron holds logind's delay inhibitor, or macOS's termination, while a listener
// calls preventDefault). Windows: `query-session-end` and `session-end` go to top-level windows
// only, and the dashboard window may be closed: a hidden window of our own receives them. What to
// do then is in logic/quit.ts (plan, deadline, whether to hold the session end up).
import { BrowserWindow, powerMonitor } from 'electron';

export function watchPower(o: {
  platform: NodeJS.Platform;
  /** The session is ending: quit now, without asking anything. */
  onSessionEnding: () => void;
  /** Windows: hold the session end up ("… is preventing shutdown") until the app has quit? */
  holdSessionEnd: () => boolean;
  onResume: () => void;
}): () => void {
  const onShutdown = (event?: { preventDefault(): void }): void => {
    // Delay the shutdown while the workers are handed over or drained (the watchdog bounds it).
    event?.preventDefault();
    o.onSessionEnding();
  };
  powerMonitor.on('shutdown', onShutdown);
  powerMonitor.on('resume', o.onResume);
  let hidden: BrowserWindow | null = null;
  if (o.platform === 'win32') {
    hidden = new BrowserWindow({
      show: false,
      width: 1,
      height: 1,
      skipTaskbar: true,
      focusable: false,
      // It never loads a page: nothing to expose, everything off.
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        disableBlinkFeatures: 'Auxclick',
      },
    });
    hidden.on('query-session-end', (event) => {
      if (o.holdSessionEnd()) event.preventDefault();
      o.onSessionEnding();
    });
    hidden.on('session-end', () => o.onSessionEnding());
  }
  return () => {
    powerMonitor.off('shutdown', onShutdown);
    powerMonitor.off('resume', o.onResume);
    if (hidden && !hidden.isDestroyed()) hidden.destroy();
  };
}
