// Serves the dashboard bundle: SPA fallback, traversal guard, strict CSP and security headers.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** `authority`: the page's own `host:port`, as its (checked) Host header names it. */
export function contentSecurityPolicy(authority: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    // The live-events WebSocket of this page's own host and port (direct or through a tunnel).
    // Chromium rejects an IPv6 literal as a source; for [::1] 'self' covers ws: on its own.
    `connect-src 'self'${authority.startsWith('[') ? '' : ` ws://${authority}`}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(authority: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(authority),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

async function fileIn(root: string, rel: string): Promise<string | null> {
  const p = join(root, rel);
  try {
    return (await stat(p)).isFile() ? p : null;
  } catch {
    return null;
  }
}

export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  root: string | null,
  authority: string,
  sendJson: (status: number, body: unknown) => void,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return sendJson(405, { error: 'Method not allowed', code: 'bad-request' });
  if (!root) return sendJson(404, { error: 'Not found', code: 'not-found' });
  let rel: string;
  try {
    rel = decodeURIComponent(pathname).replace(/^\/+/, '');
  } catch {
    return sendJson(400, { error: 'Bad path', code: 'bad-request' });
  }
  const base = resolve(root);
  const target = resolve(base, rel);
  if (target !== base && !target.startsWith(base + sep))
    return sendJson(403, { error: 'Forbidden', code: 'forbidden' });
  const file = (rel === '' ? null : await fileIn(base, rel)) ?? (await fileIn(base, 'index.html'));
  if (!file) return sendJson(404, { error: 'Not found', code: 'not-found' });
  const isHtml = extname(file) === '.html';
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'cache-control': isHtml ? 'no-store' : 'public, max-age=31536000, immutable',
    ...securityHeaders(authority),
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
