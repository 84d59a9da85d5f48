// The browser's bridge: commands over fetch (one request builder and one decoder shared with the
// CLI), events over one WebSocket (event-socket.ts). A rejected token is final: the page says how
// to get a fresh one instead of retrying forever.
import {
  CommandError,
  commands,
  decodeAnswer,
  httpRequestFor,
  type Bridge,
  type CommandInput,
  type CommandName,
  type CommandOutput,
} from '../../shared/index.ts';
import { createEventSocket, type SocketFactory, type SocketLike } from './event-socket.ts';

export const UNAUTHORIZED_MESSAGE =
  'token rejected — open the dashboard again with `pipedai-orchestrator dashboard --open`';

export type { SocketFactory, SocketLike } from './event-socket.ts';

export interface BrowserBridgeOptions {
  /** The control server's origin, e.g. http://127.0.0.1:4599 (the page's own origin). */
  baseUrl: string;
  /** null when the page was opened without a token. */
  token: string | null;
  fetch?: typeof fetch;
  openSocket?: SocketFactory;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  random?: () => number;
  /** The token was rejected (forget the stored copy). */
  onUnauthorized?: () => void;
  /** Called with a callback to run when the network comes back (window 'online'). */
  onOnline?: (cb: () => void) => () => void;
}

export interface BrowserBridge extends Bridge {
  /** Close the socket and stop reconnecting (tests, page teardown). */
  close(): void;
}

export function createBrowserBridge(opts: BrowserBridgeOptions): BrowserBridge {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => globalThis.fetch(...a));
  const openSocket: SocketFactory =
    opts.openSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
  const setTimer = opts.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
  const clearTimer =
    opts.clearTimeout ??
    ((h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>));
  const random = opts.random ?? Math.random;
  const token = opts.token;

  const authHeaders = (): Record<string, string> => ({
    authorization: `Bearer ${token ?? ''}`,
    accept: 'application/json',
  });
  const events = createEventSocket({
    base,
    token,
    authHeaders,
    fetch: doFetch,
    openSocket,
    setTimer,
    clearTimer,
    random,
    ...(opts.onUnauthorized ? { onUnauthorized: opts.onUnauthorized } : {}),
    ...(opts.onOnline ? { onOnline: opts.onOnline } : {}),
  });

  return {
    async invoke<N extends CommandName>(
      name: N,
      input: CommandInput<N>,
    ): Promise<CommandOutput<N>> {
      if (token === null || events.state() === 'unauthorized') {
        events.becomeUnauthorized();
        throw new CommandError('unauthorized', UNAUTHORIZED_MESSAGE);
      }
      const spec = httpRequestFor(name, input);
      const ac = new AbortController();
      const limitMs = commands[name].timeoutMs;
      const timer = limitMs === null ? null : setTimer(() => ac.abort(), limitMs);
      let status: number;
      let text: string;
      try {
        const res = await doFetch(`${base}${spec.url}`, {
          method: spec.method,
          headers: {
            ...authHeaders(),
            ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: spec.body,
          signal: ac.signal,
          cache: 'no-store',
          credentials: 'omit',
          redirect: 'error',
        });
        status = res.status;
        text = await res.text();
      } catch {
        throw new CommandError(
          'unavailable',
          ac.signal.aborted
            ? `the orchestrator did not answer within ${(limitMs ?? 0) / 1000} s`
            : "can't reach the orchestrator",
        );
      } finally {
        if (timer !== null) clearTimer(timer);
      }
      if (status === 401) {
        events.becomeUnauthorized();
        throw new CommandError('unauthorized', UNAUTHORIZED_MESSAGE);
      }
      return decodeAnswer(name, status, text);
    },

    subscribe: events.subscribe,
    onConnection: events.onConnection,
    close: events.close,
  };
}
