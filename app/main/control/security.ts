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

/** The names a browser on this host reaches us by. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * `name[:port]` where the name is a loopback name and the port, if any, is valid. Any port: an SSH
 * tunnel (`ssh -L 8080:127.0.0.1:4599 server`) brings the page in on the operator's own port. The
 * DNS-rebinding defence is the name (a rebound name is never a loopback literal); the port adds
 * nothing to it.
 */
export function isLoopbackAuthority(authority: string): boolean {
  const m = /^(\[::1\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(authority.trim().toLowerCase());
  if (!m?.[1] || !LOOPBACK_NAMES.has(m[1])) return false;
  const port = m[2] === undefined ? 80 : Number(m[2]);
  return port >= 1 && port <= 65535;
}

/** The Host header must name a loopback address (any port): nothing else reaches the daemon. */
export function isAllowedHost(hostHeader: string | undefined): boolean {
  return hostHeader !== undefined && isLoopbackAuthority(hostHeader);
}

/** An Origin, when sent, must be a page on a loopback name (any port). Absent (curl, the CLI) is fine. */
export function isAllowedOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  const m = /^http:\/\/(.+)$/i.exec(origin.trim());
  return m?.[1] !== undefined && isLoopbackAuthority(m[1]);
}

/** Constant time whatever the lengths: compare digests, not the strings. */
export function tokenMatches(presented: string | null | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerOf(authorization: string | undefined): string | null {
  // Stryker disable next-line ConditionalExpression: no header reads as "undefined", which the pattern refuses too; the test is for the type
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
