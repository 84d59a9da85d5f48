// Loopback-only guards of the control server: bind address, Host (DNS rebinding), Origin
// (cross-site), and the bearer token compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { CommandError } from '../../shared/index.ts';

// Every client (CLI, dashboard URL, runtime record) reaches the daemon at 127.0.0.1, so that is
// the only address bound: `localhost` means it too, and `::1` would be unreachable for them.
const LOOPBACK_BINDS = new Set(['127.0.0.1', 'localhost']);

export function isLoopbackBind(host: string): boolean {
  return LOOPBACK_BINDS.has(host.trim().toLowerCase());
}

/** The address actually bound for an accepted `--host`. */
export const BIND_ADDRESS = '127.0.0.1';

/** The Host header must name the loopback address or localhost with our port. */
export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  const h = hostHeader.trim().toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}

/** An Origin, when sent, must be our own page. Absent (curl, the CLI) is fine. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  const o = origin.trim().toLowerCase();
  return (
    o === `http://127.0.0.1:${port}` ||
    o === `http://localhost:${port}` ||
    o === `http://[::1]:${port}`
  );
}

/** Constant time whatever the lengths: compare digests, not the strings. */
export function tokenMatches(presented: string | null | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerOf(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return m ? (m[1] ?? null) : null;
}

/** The one loopback check of both hosts and the server: anything else is refused, naming the fix. */
export function assertLoopbackBind(host: string): void {
  if (isLoopbackBind(host)) return;
  throw new CommandError(
    'bad-request',
    `refusing to listen on ${host}: the control API is loopback-only (127.0.0.1 or localhost); reach it from elsewhere through an SSH tunnel (ssh -L 4599:127.0.0.1:4599 host)`,
    'host',
  );
}
