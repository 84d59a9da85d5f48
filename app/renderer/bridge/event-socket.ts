// The browser bridge's event stream: ONE WebSocket to /api/events that reconnects with capped,
// jittered backoff. A browser cannot see why an upgrade failed, so a lost socket asks over HTTP
// whether it was the token; a rejected token is final.
import {
  EventFrame,
  backoffDelay,
  type ConnectionListener,
  type ConnectionState,
  type FrameListener,
} from '../../shared/index.ts';

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

export interface EventSocketOptions {
  base: string;
  token: string | null;
  authHeaders: () => Record<string, string>;
  fetch: typeof fetch;
  openSocket: SocketFactory;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  random: () => number;
  onUnauthorized?: () => void;
  onOnline?: (cb: () => void) => () => void;
}

export interface EventSocket {
  subscribe(onFrame: FrameListener): () => void;
  onConnection(cb: ConnectionListener): () => void;
  state(): ConnectionState;
  /** The token was refused (a command's 401, or the probe): stop for good. */
  becomeUnauthorized(): void;
  close(): void;
}

export function createEventSocket(o: EventSocketOptions): EventSocket {
  const { base, token, setTimer, clearTimer, random, openSocket, authHeaders } = o;
  const doFetch = o.fetch;
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
    o.onUnauthorized?.();
    setState('unauthorized');
  };

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
    offOnline = o.onOnline?.(retryNow) ?? null;
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
    state: currentState,
    becomeUnauthorized,
    close: stopStream,
  };
}
