// The dashboard window and its hardening: the app:// scheme serving the built dashboard with a
// strict CSP, no navigation away, no new windows, every permission denied. Closing the window
// destroys it (a hidden renderer keeps its memory); the tray re-creates it on demand.
import { readFile } from 'node:fs/promises';
import { BrowserWindow, app, protocol, screen, session, shell, type WebContents } from 'electron';
import { errorMessage } from '../../shared/index.ts';
import { appResponseHeaders, resolveAppFile } from './logic/app-protocol.ts';
import { MIN_SIZE, restoreBounds } from './logic/bounds.ts';
import { PRODUCT_NAME } from './logic/tray.ts';
import {
  APP_SCHEME,
  appPageUrl,
  navigationDecision,
  permissionDecision,
  windowOpenDecision,
} from './logic/window.ts';
import type { UiPrefs } from './prefs.ts';

/**
 * Before `ready`: app:// behaves like https for the dashboard (a standard, secure origin). Module
 * scripts and `crossorigin` styles load in CORS mode, which Chromium allows only on CORS-enabled
 * schemes; the handler sends no Access-Control-Allow-Origin, so other origins still read nothing.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
    },
  ]);
}

/** Serve out/renderer under app://dashboard/. */
export function serveDashboard(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const r = resolveAppFile(request.url, rendererDir);
    if (r.kind === 'error') return new Response(null, { status: r.status });
    try {
      return new Response(await readFile(r.path), { headers: appResponseHeaders(r.mime) });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
}

/** The system browser may refuse (no handler for the URL, a sandbox): say so, never throw. */
function openInBrowser(url: string, log: (line: string) => void): void {
  // Callers hand over https URLs only, without credentials (logic/window.ts).
  const failed = (e: unknown): void => log(`opening ${url} in the browser: ${errorMessage(e)}`);
  void shell.openExternal(url).catch(failed); //! eng-disable OPEN_EXTERNAL_JS_CHECK
}

function guardContents(
  contents: WebContents,
  appOrigins: readonly string[],
  log: (line: string) => void,
): void {
  const onNavigate = (event: { preventDefault(): void }, url: string): void => {
    const d = navigationDecision(url, appOrigins);
    if (d.allow) return;
    event.preventDefault();
    if (d.openExternal) openInBrowser(d.openExternal, log);
  };
  contents.on('will-navigate', onNavigate);
  contents.on('will-redirect', onNavigate);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const d = windowOpenDecision(url);
    if (d.openExternal) openInBrowser(d.openExternal, log);
    return { action: d.action };
  });
}

/**
 * Every web contents the app ever creates gets the same guards; every permission is denied but
 * the clipboard write our own page needs (permissionDecision).
 */
export function hardenSessions(appOrigins: readonly string[], log: (line: string) => void): void {
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(
      permissionDecision(
        { permission, url: details.requestingUrl, isMainFrame: details.isMainFrame },
        appOrigins,
      ),
    ),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    permissionDecision(
      {
        permission,
        url: details.requestingUrl ?? requestingOrigin,
        isMainFrame: details.isMainFrame,
      },
      appOrigins,
    ),
  );
  app.on('web-contents-created', (_event, contents) => guardContents(contents, appOrigins, log));
}

export interface WindowController {
  /** Show the dashboard (creating the window if needed) and focus it; a view selects a drawer. */
  show(view?: { logs: string }): void;
  webContentsId(): number | null;
  send(channel: string, payload: unknown): void;
  /** -1 removes the bar. */
  setProgress(fraction: number): void;
}

export function createWindowController(o: {
  preload: string;
  prefs: UiPrefs;
  icon: string;
  onShownChange: (shown: boolean) => void;
}): WindowController {
  let win: BrowserWindow | null = null;

  const create = (view?: { logs: string }): BrowserWindow => {
    const bounds = restoreBounds(
      o.prefs.windowBounds(),
      screen.getAllDisplays().map((d) => d.workArea),
    );
    const w = new BrowserWindow({
      ...bounds,
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      show: false,
      title: PRODUCT_NAME,
      icon: o.icon,
      backgroundColor: '#0b1220',
      autoHideMenuBar: true,
      // Electron's security checklist, spelled out here where BrowserWindow (and its linter,
      // electronegativity) reads it.
      webPreferences: {
        // Ours (out/preload): it exposes only the typed Bridge through contextBridge, which
        // package:check asserts.
        preload: o.preload, //! eng-disable PRELOAD_JS_CHECK
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
        // Middle-click opens no window (the open handler denies every one anyway).
        disableBlinkFeatures: 'Auxclick',
        // Developer tools in development only: a packaged app has none to open.
        devTools: !app.isPackaged,
      },
    });
    w.once('ready-to-show', () => {
      w.show();
      w.focus();
    });
    w.on('close', () => o.prefs.setWindowBounds(w.getNormalBounds()));
    w.on('closed', () => {
      win = null;
      o.onShownChange(false);
    });
    void w.loadURL(appPageUrl(view));
    o.onShownChange(true);
    return w;
  };

  return {
    show(view) {
      if (!win) {
        win = create(view);
        return;
      }
      if (view) void win.loadURL(appPageUrl(view));
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      o.onShownChange(true);
    },
    webContentsId: () => (win && !win.isDestroyed() ? win.webContents.id : null),
    send(channel, payload) {
      if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
    },
    setProgress(fraction) {
      if (win && !win.isDestroyed()) win.setProgressBar(fraction);
    },
  };
}
