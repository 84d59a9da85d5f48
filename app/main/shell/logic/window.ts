// The dashboard window's security policy (Electron's security checklist): where it may navigate,
// what it may open, which frames the IPC door trusts, its web preferences and its CSP.

/** The dashboard is served from a privileged custom scheme, never file:// (checklist #18). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'dashboard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The page the window loads; a fragment selects a view (`logs=<workerId>`). */
export function appPageUrl(view?: { logs: string }): string {
  const page = `${APP_ORIGIN}/index.html`;
  return view ? `${page}#logs=${encodeURIComponent(view.logs)}` : page;
}

/**
 * `scheme://host[:port]` of a URL, or null. Computed by hand: Node's URL reports the origin of
 * non-special schemes (app:) as "null".
 */
export function originOf(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.host === '') return null;
  return `${u.protocol}//${u.host}`.toLowerCase();
}

/** An address the system browser may open: https only, and nothing odd (credentials). */
export function externalHttpsUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.username !== '' || u.password !== '') return null;
  return u.href;
}

/**
 * The pairing page: https, or plain http on this machine (the sandbox API in development).
 * Nothing else leaves the app.
 */
export function pairingPageUrl(url: string): string | null {
  const https = externalHttpsUrl(url);
  if (https) return https;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  return u.protocol === 'http:' && loopback && u.username === '' ? u.href : null;
}

export interface NavigationDecision {
  allow: boolean;
  /** Open this in the system browser instead (https links the dashboard shows). */
  openExternal: string | null;
}

/** will-navigate / will-redirect: stay on our own page; an https link goes to the browser. */
export function navigationDecision(url: string, appOrigins: readonly string[]): NavigationDecision {
  const origin = originOf(url);
  if (origin !== null && appOrigins.includes(origin)) return { allow: true, openExternal: null };
  return { allow: false, openExternal: externalHttpsUrl(url) };
}

/** setWindowOpenHandler: never a new Electron window; an https link goes to the browser. */
export function windowOpenDecision(url: string): { action: 'deny'; openExternal: string | null } {
  return { action: 'deny', openExternal: externalHttpsUrl(url) };
}

/**
 * Permissions the dashboard may have, each for our own page only: writing text to the clipboard
 * (its "Copy code" and "Copy command" buttons call navigator.clipboard.writeText, which Chromium
 * gates behind `clipboard-sanitized-write`). Reading the clipboard, notifications, media and the
 * rest stay denied.
 */
const GRANTED_TO_DASHBOARD: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/**
 * Electron's permission request and check handlers: grant only what the dashboard needs, only
 * to the main frame of a page on one of our origins. `url` is the requesting frame's URL (the
 * request handler's `requestingUrl`) or its origin (the check handler's `requestingOrigin`).
 */
export function permissionDecision(
  request: { permission: string; url: string | undefined; isMainFrame: boolean },
  appOrigins: readonly string[],
): boolean {
  if (!GRANTED_TO_DASHBOARD.has(request.permission) || !request.isMainFrame) return false;
  const origin = request.url === undefined ? null : originOf(request.url);
  return origin !== null && appOrigins.includes(origin);
}

/** Who sent an IPC message, as the IPC adapter reads it from Electron's event. */
export interface SenderInfo {
  webContentsId: number;
  /** URL of the sending frame; null when the frame is gone. */
  frameUrl: string | null;
  isMainFrame: boolean;
}

/** Only the main frame of our own window, showing our own page, may call the daemon. */
export function isTrustedSender(
  sender: SenderInfo,
  expected: { webContentsId: number | null; appOrigins: readonly string[] },
): boolean {
  if (expected.webContentsId === null || sender.webContentsId !== expected.webContentsId)
    return false;
  if (!sender.isMainFrame || sender.frameUrl === null) return false;
  const origin = originOf(sender.frameUrl);
  return origin !== null && expected.appOrigins.includes(origin);
}

/**
 * The dashboard's Content-Security-Policy: its own scripts and styles only, no inline script,
 * no eval, no network (the preload carries every call), no frames, no plugins.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "worker-src 'none'",
].join('; ');

/** macOS: the Dock icon shows only while a window does (the app lives in the menu bar). */
export function dockVisible(platform: NodeJS.Platform, windowShown: boolean): boolean | null {
  return platform === 'darwin' ? windowShown : null;
}
