// The browser's bridge: commands over fetch (one request builder shared with the CLI), events over
// ONE WebSocket that reconnects with capped, jittered backoff. A rejected token is final: the page
// says how to get a fresh one instead of retrying forever.
import {
  CommandError,
  EventFrame,
  backoffDelay,
  commands,
  decodeAnswer,
  httpRequestFor,
  type Bridge,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type ConnectionListener,
  type ConnectionState,
  type FrameListener,
} from '../../shared/index.ts';

export const UNAUTHORIZED_MESSAGE =
  'token rejected — open the dashboard again with `pipedai-orchestrator dashboard --open`';

const PROBE_TIMEOUT_MS = 5_000;
/** Many dashboards lose the same daemon at once (a self-update): 0.5 s doubling to 10 s. */
const RECONNECT_BACKOFF = { initialMs: 500, maxMs: 10_000 };

/** The part of the DOM WebSocket the bridge uses (Node 22's global WebSocket has it too). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}
export type SocketFactory = (url: string) => SocketLike;

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

  const frameListeners = new Set<FrameListener>();
  const connectionListeners = new Set<ConnectionListener>();
  let state: ConnectionState = 'connecting';
  let socket: SocketLike | null = null;
  let retryTimer: unknown = null;
  let attempt = 0;
  let running = false;
  let offOnline: (() => void) | null = null;

  const currentState = (): ConnectionState => state;
  const setState = (next: ConnectionState): void => {
    if (state === next) return;
    state = next;
    for (const l of [...connectionListeners]) l(next);
  };

  const dropSocket = (): void => {
    if (retryTimer !== null) clearTimer(retryTimer);
    retryTimer = null;
    const s = socket;
    socket = null;
    if (s) {
      s.onopen = s.onmessage = s.onclose = s.onerror = null;
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  };

  const becomeUnauthorized = (): void => {
    if (state === 'unauthorized') return;
    dropSocket();
    opts.onUnauthorized?.();
    setState('unauthorized');
  };

  const authHeaders = (): Record<string, string> => ({
    authorization: `Bearer ${token ?? ''}`,
    accept: 'application/json',
  });

  const dispatch = (data: unknown): void => {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const frame = EventFrame.safeParse(json);
    if (!frame.success) return;
    for (const l of [...frameListeners]) l(frame.data);
  };

  /** A browser cannot see why a WebSocket upgrade failed: ask over HTTP whether it was the token. */
  const tokenStillValid = async (): Promise<boolean> => {
    const ac = new AbortController();
    const t = setTimer(() => ac.abort(), PROBE_TIMEOUT_MS);
    try {
      const res = await doFetch(`${base}/api/self`, {
        headers: authHeaders(),
        signal: ac.signal,
        cache: 'no-store',
      });
      return res.status !== 401;
    } catch {
      return true; // unreachable: not a token problem
    } finally {
      clearTimer(t);
    }
  };

  const connect = (): void => {
    retryTimer = null;
    if (!running || state === 'unauthorized') return;
    if (token === null) return becomeUnauthorized();
    const wsBase = base.replace(/^http/, 'ws');
    let s: SocketLike;
    try {
      s = openSocket(`${wsBase}/api/events?token=${encodeURIComponent(token)}`);
    } catch {
      return void lost();
    }
    socket = s;
    s.onopen = () => setState('open');
    s.onmessage = (ev) => {
      attempt = 0; // the daemon talks to us (its snapshot): the connection is healthy
      dispatch(ev.data);
    };
    // Browsers follow an error with a close; some runtimes (Node's undici) send only the error.
    const ended = (): void => {
      if (socket !== s) return;
      socket = null;
      s.onopen = s.onmessage = s.onclose = s.onerror = null;
      try {
        s.close();
      } catch {
        // never opened
      }
      void lost();
    };
    s.onerror = ended;
    s.onclose = ended;
  };

  const lost = async (): Promise<void> => {
    if (!running || state === 'unauthorized') return;
    setState('reconnecting');
    if (!(await tokenStillValid())) return becomeUnauthorized();
    // State may have moved while the probe ran (a command saw the 401, the page closed the stream).
    if (!running || currentState() === 'unauthorized' || socket !== null || retryTimer !== null)
      return;
    retryTimer = setTimer(connect, backoffDelay(attempt++, RECONNECT_BACKOFF, random));
  };

  const retryNow = (): void => {
    if (!running || state !== 'reconnecting' || retryTimer === null) return;
    clearTimer(retryTimer);
    connect();
  };

  const startStream = (): void => {
    if (running) return;
    running = true;
    offOnline = opts.onOnline?.(retryNow) ?? null;
    if (state !== 'unauthorized') setState(token === null ? 'unauthorized' : 'connecting');
    connect();
  };

  const stopStream = (): void => {
    running = false;
    offOnline?.();
    offOnline = null;
    dropSocket();
  };

  return {
    async invoke<N extends CommandName>(
      name: N,
      input: CommandInput<N>,
    ): Promise<CommandOutput<N>> {
      if (token === null || state === 'unauthorized') {
        becomeUnauthorized();
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
        becomeUnauthorized();
        throw new CommandError('unauthorized', UNAUTHORIZED_MESSAGE);
      }
      return decodeAnswer(name, status, text);
    },

    subscribe(onFrame) {
      frameListeners.add(onFrame);
      startStream();
      return () => {
        frameListeners.delete(onFrame);
        if (frameListeners.size === 0) stopStream();
      };
    },

    onConnection(cb) {
      connectionListeners.add(cb);
      cb(state);
      return () => void connectionListeners.delete(cb);
    },

    close: stopStream,
  };
}
