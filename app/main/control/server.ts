// The control server: loopback HTTP + WebSocket, a generic adapter over the contract's command
// table. Every request is checked (Host, Origin, token), bounded (body cap) and parsed (schema)
// before a handler runs; bad input is a 4xx naming the field, never a 500.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  COMMAND_ERROR_STATUS,
  CommandError,
  commands,
  describeZodError,
  dispatchCommand,
  toErrorBody,
  type CommandHandlers,
  type CommandName,
  type ErrorBody,
  type EventFrame,
} from '../../shared/index.ts';
import { createEventsHub } from './events-hub.ts';
import { Challenge, PROOF_PATH, proofFor } from './proof.ts';
import { matchRoute } from './router.ts';
import {
  BIND_ADDRESS,
  assertLoopbackBind,
  bearerOf,
  isAllowedHost,
  isAllowedOrigin,
  tokenMatches,
} from './security.ts';
import { securityHeaders, serveStatic } from './static-files.ts';

/** Prometheus's scrape path (text exposition, not a JSON command of the table). */
export const METRICS_PATH = '/metrics';
export const MAX_BODY_BYTES = 1024 * 1024;
/** Longest a client may take to send its headers, and its whole request (408 after). */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 15_000;

export interface ControlServerOptions {
  host?: string;
  /** 0 picks any free port. */
  port: number;
  /** The local `oct_` token (read at each request, so a rotation takes effect at once). */
  token: () => string;
  handlers: CommandHandlers;
  subscribe: (listener: (frame: EventFrame) => void) => () => void;
  snapshot?: () => Promise<EventFrame[]>;
  /** The dashboard bundle (out/renderer), or null to serve none. */
  staticDir: string | null;
  maxBodyBytes?: number;
  wsMaxBufferedBytes?: number;
  /** What GET /metrics serves (Prometheus text), behind the same bearer token; absent: 404. */
  metrics?: { readonly contentType: string; text(): Promise<string> };
  /** A frame a slow WebSocket client lost. */
  onFrameDropped?: (frame: EventFrame) => void;
  /** Internal errors (bugs) are reported here, never to the client. */
  onInternalError?: (error: unknown, command: string) => void;
}

export interface ControlServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

class HttpFailure extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  constructor(status: number, body: ErrorBody) {
    super(body.error);
    this.status = status;
    this.body = body;
  }
}

const fail = (
  status: number,
  code: ErrorBody['code'],
  error: string,
  field?: string,
): HttpFailure => new HttpFailure(status, field ? { error, code, field } : { error, code });

async function readBody(req: IncomingMessage, cap: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > cap) throw fail(413, 'bad-request', `request body larger than ${cap} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > cap) throw fail(413, 'bad-request', `request body larger than ${cap} bytes`);
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof HttpFailure) throw e;
    // The client went away (or timed out) mid-body: nobody is left to answer, and it is no bug.
    throw fail(400, 'bad-request', 'request body aborted');
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail(400, 'bad-request', 'invalid JSON body');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail(400, 'bad-request', 'request body must be a JSON object', '(root)');
  }
  return parsed;
}

export async function startControlServer(opts: ControlServerOptions): Promise<ControlServer> {
  const host = opts.host ?? '127.0.0.1';
  assertLoopbackBind(host);
  const cap = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const hub = createEventsHub({
    maxBufferedBytes: opts.wsMaxBufferedBytes,
    snapshot: opts.snapshot,
    ...(opts.onFrameDropped ? { onDropped: opts.onFrameDropped } : {}),
  });
  const unsubscribe = opts.subscribe((frame) => hub.broadcast(frame));
  let port = opts.port;
  /** The page's own `host:port` for its CSP: the checked Host header (a tunnel's port), else ours. */
  const authorityOf = (req: IncomingMessage | undefined): string => {
    const host = req?.headers.host;
    return host !== undefined && isAllowedHost(host)
      ? host.trim().toLowerCase()
      : `127.0.0.1:${port}`;
  };

  const sendJson = (
    res: ServerResponse,
    status: number,
    body: unknown,
    extra: Record<string, string> = {},
  ): void => {
    if (res.headersSent) return void res.end();
    const data = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(data),
      ...securityHeaders(authorityOf(res.req)),
      ...extra,
    });
    res.end(data);
  };

  async function runCommand(
    name: CommandName,
    req: IncomingMessage,
    url: URL,
    params: Record<string, string>,
  ): Promise<{ status: number; body: unknown }> {
    const def = commands[name];
    const body = def.method === 'GET' ? {} : await readBody(req, cap);
    // GET takes its input from the query; other methods from the JSON body only.
    const query = def.method === 'GET' ? Object.fromEntries(url.searchParams) : {};
    const answer = await dispatchCommand(
      opts.handlers,
      name,
      { ...query, ...(body as object), ...params },
      opts.onInternalError,
    );
    return { status: answer.status, body: answer.ok ? answer.value : answer.error };
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && !isAllowedOrigin(req.headers.origin)) {
      throw fail(403, 'forbidden', 'cross-origin request refused');
    }
    if (method === 'GET' && url.pathname === PROOF_PATH) {
      // Before the token check: clients ask for this before they send the token (proof.ts).
      const challenge = Challenge.safeParse(url.searchParams.get('challenge'));
      if (!challenge.success)
        throw fail(400, 'bad-request', describeZodError(challenge.error), 'challenge');
      return sendJson(res, 200, { proof: proofFor(opts.token(), port, challenge.data) });
    }
    if (!tokenMatches(bearerOf(req.headers.authorization), opts.token()))
      throw fail(401, 'unauthorized', 'Unauthorized');
    const match = matchRoute(method, url.pathname);
    if (match.kind === 'not-found') throw fail(404, 'not-found', 'Not found');
    if (match.kind === 'method-not-allowed') {
      return sendJson(
        res,
        405,
        { error: 'Method not allowed', code: 'bad-request' },
        { allow: match.allow.join(', ') },
      );
    }
    const { status, body } = await runCommand(match.name, req, url, match.params);
    sendJson(res, status, body);
  }

  /** Prometheus's scrape: the bearer token as for the API (a `credentials_file`), GET only. */
  async function handleMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!tokenMatches(bearerOf(req.headers.authorization), opts.token()))
      throw fail(401, 'unauthorized', 'Unauthorized');
    if (!opts.metrics) throw fail(404, 'not-found', 'Not found');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(
        res,
        405,
        { error: 'Method not allowed', code: 'bad-request' },
        { allow: 'GET' },
      );
    const text = await opts.metrics.text();
    res.writeHead(200, {
      'content-type': opts.metrics.contentType,
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(text),
      ...securityHeaders(authorityOf(req)),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  }

  // Timeouts are checked every second, so a half-sent request is cut off near its deadline
  // (Node's default check runs every 30 s).
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    void (async () => {
      try {
        if (!isAllowedHost(req.headers.host)) throw fail(403, 'forbidden', 'Host not allowed');
        const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
        if (url.pathname === '/api' || url.pathname.startsWith('/api/'))
          await handleApi(req, res, url);
        else if (url.pathname === METRICS_PATH) await handleMetrics(req, res);
        else
          await serveStatic(req, res, url.pathname, opts.staticDir, authorityOf(req), (s, b) =>
            sendJson(res, s, b),
          );
      } catch (e) {
        if (e instanceof HttpFailure) return sendJson(res, e.status, e.body);
        if (!(e instanceof CommandError)) opts.onInternalError?.(e, req.url ?? '');
        const body = toErrorBody(e);
        sendJson(res, COMMAND_ERROR_STATUS[body.code], body);
      }
    })();
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  // Bounds receiving the request (a slowloris body), not the answer: an upgrade that runs for
  // half an hour still answers.
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 100;

  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      return refuse('400 Bad Request');
    }
    if (!isAllowedHost(req.headers.host) || !isAllowedOrigin(req.headers.origin))
      return refuse('403 Forbidden');
    const token = bearerOf(req.headers.authorization) ?? url.searchParams.get('token');
    if (url.pathname !== '/api/events' || !tokenMatches(token, opts.token()))
      return refuse('401 Unauthorized');
    hub.handleUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, BIND_ADDRESS, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      unsubscribe();
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
