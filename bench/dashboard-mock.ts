// A stand-in for the daemon's control server, for the dashboard benchmark: serves the built
// dashboard (out/renderer) and answers the few commands it asks at start with a fleet of fused
// workers; opening a worker's log tail answers the first lines and pushes the rest as `log` frames.
// Loopback only, any token accepted (nothing here is secret).
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { commands, type EventFrame, type FusedWorker, type LogLine } from '../app/shared/index.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
/** Lines per `logs` frame, one frame per event-loop turn (the daemon's bound is 1000). */
const PUSH_BATCH = 500;

export interface MockOptions {
  staticDir: string;
  workers: number;
  logLines: number;
}

export interface MockServer {
  url: string;
  workers: FusedWorker[];
  /** Resolves when every line of the open log tail has been sent (answer plus frames). */
  logsDelivered(): Promise<void>;
  close(): Promise<void>;
}

const STATES = ['running', 'running', 'running', 'backing-off', 'stopped', 'crashed'] as const;
const REMOTES = ['online', 'busy', 'online', 'offline', 'disabled'] as const;

/** A varied fleet: every badge, restarts, stale versions, runs in progress. */
export function fleet(count: number, now: number, apiUrl: string): FusedWorker[] {
  const items: FusedWorker[] = [];
  for (let i = 0; i < count; i++) {
    const n = String(i + 1).padStart(2, '0');
    const id = `${n}${'0'.repeat(6)}-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`;
    const state = STATES[i % STATES.length]!;
    const remote = REMOTES[i % REMOTES.length]!;
    const busy = remote === 'busy' && state === 'running';
    const runId = busy ? `run-${n}-${'f'.repeat(24)}` : null;
    items.push({
      id,
      label: `worker-${n}`,
      mode: i % 7 === 6 ? 'pool' : 'workspace',
      apiUrl,
      desiredState: state === 'stopped' ? 'disabled' : 'enabled',
      local: {
        id,
        state,
        pid: state === 'running' ? 10_000 + i : null,
        startedAt: state === 'running' ? now - (i + 1) * 61_000 : null,
        restarts: state === 'backing-off' || state === 'crashed' ? 1 + (i % 4) : 0,
        lastExit: state === 'running' ? null : { code: 1, signal: null, at: now - 5_000 },
        draining: false,
        drainingSince: null,
        nextRestartAt: state === 'backing-off' ? now + 8_000 : null,
        adopted: i % 11 === 0,
      },
      remote: {
        status: remote === 'offline' ? 'offline' : 'online',
        derivedStatus: remote,
        currentRunId: runId,
        version: '1.4.2',
        lastSeenAt: new Date(now - (i % 5) * 1000).toISOString(),
        disabled: remote === 'disabled',
      },
      lastEvent: { type: busy ? 'run.started' : 'worker.started', at: new Date(now).toISOString() },
      busy,
      currentRunId: runId,
      workerVersion: '1.4.2',
      latestWorkerVersion: i % 3 === 0 ? '1.5.0' : '1.4.2',
      versionStale: i % 3 === 0,
    });
  }
  // What the dashboard would refuse must fail here, not as a blank page in the browser.
  return commands.listWorkers.output.parse({ items }).items;
}

const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';

/** Line `i` of a worker's synthetic log: chatter, with some stderr and tool output. */
function logLine(i: number, start: number): LogLine {
  const err = i % 97 === 0;
  const text = err
    ? `warn: request ${i} retried after 503 (attempt 2 of 5)`
    : `chatter #${i} ${FILLER.repeat(2)}`.slice(0, 120);
  return { ts: start + i, stream: err ? 'err' : 'out', line: text };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startMock(opts: MockOptions): Promise<MockServer> {
  const root = resolve(opts.staticDir);
  const sockets = new Set<WebSocket>();
  const start = Date.now() - opts.logLines;
  let workers: FusedWorker[] = [];
  let delivered: Promise<void> = Promise.resolve();

  /** The rest of the log after the tail the page asked for, as live frames. */
  const pushLogFrames = (id: string, from: number): Promise<void> =>
    new Promise((done) => {
      let i = from;
      const batch = (): void => {
        // As the daemon sends them: one `logs` frame per turn, within the frame's bounds.
        const end = Math.min(opts.logLines, i + PUSH_BATCH);
        const lines = [];
        for (; i < end; i++) lines.push(logLine(i, start));
        const frame: EventFrame = { kind: 'logs', id, lines };
        const text = JSON.stringify(frame);
        for (const s of sockets) s.send(text);
        if (i < opts.logLines) setImmediate(batch);
        else done();
      };
      setImmediate(batch);
    });

  const api = (url: URL, res: ServerResponse): void => {
    const path = url.pathname;
    if (path === '/api/workers') return sendJson(res, 200, { items: workers });
    if (path === '/api/self')
      return sendJson(res, 200, {
        version: '0.8.0',
        latest: '0.8.0',
        stale: false,
        lastCheckedAt: new Date().toISOString(),
        hostname: 'bench-host',
      });
    if (path === '/api/connectivity') return sendJson(res, 200, { current: null, history: [] });
    // No samples: the page measured here is the table and the log, not the sparklines.
    if (path === '/api/resources')
      return sendJson(res, 200, {
        available: true,
        intervalMs: 5000,
        windowMs: 600_000,
        samples: [],
      });
    const logs = /^\/api\/workers\/([^/]+)\/logs$/.exec(path);
    if (logs) {
      const input = commands.getLogs.input.safeParse({
        id: decodeURIComponent(logs[1]!),
        tail: url.searchParams.get('tail') ?? undefined,
      });
      if (!input.success) return sendJson(res, 400, { error: 'bad request', code: 'bad-request' });
      const { id, tail } = input.data;
      // The oldest `tail` lines answer the request; newer ones follow as frames, as a busy
      // worker's output would.
      const first = Math.min(tail ?? 1, opts.logLines);
      const items = Array.from({ length: first }, (_, i) => logLine(i, start));
      sendJson(res, 200, { items });
      delivered = pushLogFrames(id, first);
      return;
    }
    if (/^\/api\/workers\/[^/]+\/runs$/.test(path)) return sendJson(res, 200, { items: [] });
    sendJson(res, 404, { error: 'not found', code: 'not-found' });
  };

  const serveStatic = async (url: URL, res: ServerResponse): Promise<void> => {
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = resolve(join(root, rel));
    if (!file.startsWith(root + sep)) return sendJson(res, 404, { error: 'not found' });
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      });
      res.end(body);
    } catch {
      sendJson(res, 404, { error: 'not found' });
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
    if (url.pathname.startsWith('/api/')) return api(url, res);
    void serveStatic(url, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/events') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // What the daemon sends first: the fused view.
      const frame: EventFrame = { kind: 'status', items: workers };
      ws.send(JSON.stringify(frame));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  workers = fleet(opts.workers, Date.now(), 'https://api.pipedai.app');

  return {
    url,
    workers,
    logsDelivered: () => delivered,
    close: async () => {
      for (const s of sockets) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
