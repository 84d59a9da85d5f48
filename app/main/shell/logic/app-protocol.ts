// Maps app://dashboard/<path> to a file of the built dashboard (out/renderer): decoded, kept
// inside the root, SPA fallback to index.html for paths without an extension.
import { extname, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './window.ts';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export type AppFileResolution =
  { kind: 'file'; path: string; mime: string } | { kind: 'error'; status: 400 | 403 | 404 };

export function resolveAppFile(url: string, root: string): AppFileResolution {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { kind: 'error', status: 400 };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return { kind: 'error', status: 404 };
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return { kind: 'error', status: 400 };
  }
  if (rel.includes('\0')) return { kind: 'error', status: 400 };
  rel = rel.replace(/^[/\\]+/, '');
  if (rel === '' || extname(rel) === '') rel = 'index.html';
  const base = resolve(root);
  const path = resolve(base, rel);
  if (path !== base && !path.startsWith(base + sep)) return { kind: 'error', status: 403 };
  return {
    kind: 'file',
    path,
    mime: MIME[extname(path).toLowerCase()] ?? 'application/octet-stream',
  };
}

/** Headers of every dashboard response. */
export function appResponseHeaders(mime: string): Record<string, string> {
  return {
    'content-type': mime,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };
}
