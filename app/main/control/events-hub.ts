// WebSocket fan-out of event frames. Each client has a bounded send buffer: a client that reads
// too slowly loses frames (counted in log lines, a `logs` frame for its lines, and reported to it
// in a `dropped` frame), never daemon memory.
// Frames produced in one turn of the event loop leave in one socket write (see cork()).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { EventFrame } from '../../shared/index.ts';

export interface EventsHubOptions {
  /** Frames are dropped for a client while this many bytes wait in its socket buffer. */
  maxBufferedBytes?: number;
  /** Ping interval; a client that misses a pong is terminated, so dead clients don't linger. */
  pingIntervalMs?: number;
  /** Frames sent to a client right after it connects, so it draws the present at once. */
  snapshot?: () => Promise<EventFrame[]>;
  /** A frame a slow client lost (the metrics count the log lines). */
  onDropped?: (frame: EventFrame) => void;
}

interface Client {
  ws: WebSocket;
  /** The upgraded socket ws writes to (corked while a turn's frames pile up). */
  socket: Duplex;
  dropped: number;
  owesDropNotice: boolean;
  alive: boolean;
}

export interface EventsHub {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  broadcast(frame: EventFrame): void;
  clientCount(): number;
  close(): void;
}

const dropWeight = (frame: EventFrame): number => (frame.kind === 'logs' ? frame.lines.length : 1);

export function createEventsHub(opts: EventsHubOptions = {}): EventsHub {
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4 * 1024,
    perMessageDeflate: false,
  });
  const clients = new Set<Client>();

  // ws writes every frame with its own writev syscall; under a log flood (thousands of lines a
  // second) that was a third of the daemon's CPU. So a client's socket is corked at its first
  // frame of a turn and uncorked once the turn's I/O callbacks have run (setImmediate), or as
  // soon as a batch reaches flushBytes, so corked bytes never count against the drop cap.
  const flushBytes = Math.min(64 * 1024, maxBuffered / 4);
  const corked = new Set<Client>();
  let flushScheduled = false;
  const uncork = (c: Client): void => {
    if (corked.delete(c)) c.socket.uncork();
  };
  const uncorkAll = (): void => {
    flushScheduled = false;
    for (const c of corked) c.socket.uncork();
    corked.clear();
  };
  const cork = (c: Client): void => {
    if (corked.has(c)) return;
    corked.add(c);
    c.socket.cork();
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(uncorkAll);
    }
  };

  /**
   * `lines`: what the frame counts for in `dropped` (a `logs` frame: its lines). False when the
   * client lost the frame (too much waits in its buffer).
   */
  const send = (c: Client, data: string, lines: number): boolean => {
    if (c.ws.readyState !== WebSocket.OPEN) return true;
    if (c.ws.bufferedAmount >= flushBytes) uncork(c);
    if (c.ws.bufferedAmount > maxBuffered) {
      c.dropped += lines;
      c.owesDropNotice = true;
      return false;
    }
    cork(c);
    if (c.owesDropNotice) {
      c.owesDropNotice = false;
      c.ws.send(JSON.stringify({ kind: 'dropped', dropped: c.dropped } satisfies EventFrame));
    }
    c.ws.send(data);
    return true;
  };

  const ping = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, opts.pingIntervalMs ?? 30_000);
  ping.unref();

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        const c: Client = { ws, socket, dropped: 0, owesDropNotice: false, alive: true };
        clients.add(c);
        ws.on('pong', () => {
          c.alive = true;
        });
        ws.on('close', () => clients.delete(c));
        ws.on('error', () => ws.terminate());
        // Clients never talk; anything they send is ignored (maxPayload bounds it).
        ws.on('message', () => undefined);
        if (opts.snapshot) {
          opts
            .snapshot()
            .then((frames) => frames.forEach((f) => send(c, JSON.stringify(f), dropWeight(f))))
            .catch(() => undefined);
        }
      });
    },
    broadcast(frame) {
      if (clients.size === 0) return;
      const data = JSON.stringify(frame);
      const lines = dropWeight(frame);
      for (const c of clients) if (!send(c, data, lines)) opts.onDropped?.(frame);
    },
    clientCount: () => clients.size,
    close() {
      clearInterval(ping);
      for (const c of clients) c.ws.terminate();
      clients.clear();
      wss.close();
    },
  };
}
