// The dashboard page's own Content-Security-Policy, a <meta> tag in the built index.html (the
// build adds it: Vite's dev server needs an inline preamble). Both servers also send a policy as a
// header (Electron's app:// handler, the daemon's HTTP server) and a browser enforces every policy
// it gets, so this one is their union: it never loosens either, and it keeps the page strict
// wherever it is opened from. No frame-ancestors: a <meta> policy cannot carry it.
export const DASHBOARD_META_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  // The browser dashboard's WebSocket, on whatever port the daemon or a tunnel uses.
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "worker-src 'none'",
].join('; ');

/**
 * The tag, for the build to put first in <head>. The comment beside it tells electronegativity
 * that `script-src 'self'` is fine here: 'self' serves this bundle only (no JSONP endpoint, no
 * uploaded files, no AngularJS), which is the "maybe" its CSP evaluator warns about.
 */
export function cspMetaTag(): string {
  return [
    `<!-- script-src 'self' is this bundle only: no JSONP, no uploads, no AngularJS -->`,
    `<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_META_CSP}" /><!-- eng-disable CSP_GLOBAL_CHECK -->`,
  ].join('\n    ');
}
