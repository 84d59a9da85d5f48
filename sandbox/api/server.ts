// The HTTP layer: loopback `node:http`, capped JSON bodies, routing (404 / 405), fault gating of
// `/api/…`, and one place that turns a thrown ApiError into `{error, ...}`. Anything else thrown
// is a bug: 500 without details, logged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { scrubTokens } from '../../app/shared/index.ts';
import { ApiError } from './errors.ts';
import type { Faults } from './faults.ts';
import { createRouter, type Route } from './router.ts';

export const MAX_BODY_BYTES = 64 * 1024;

/** Returned by a handler that took over the response (an SSE stream). */
export const STREAMING = Symbol('streaming');

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body; `undefined` when empty. 413 past the cap, 400 on bad JSON. */
  body(): Promise<unknown>;
}

export type Reply = { status: number; body: unknown; contentType?: string } | typeof STREAMING;
export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

function readBody(req: IncomingMessage, cap: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new ApiError(413, 'payload_too_large', { message: `request body larger than ${cap} bytes` });
    if (Number(req.headers['content-length'] ?? 0) > cap) {
      req.resume(); // discard; the answer closes the connection
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        req.off('data', onData);
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', reject);
    req.once('end', () => {
      if (size > cap) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ApiError(400, 'invalid_json', { message: 'request body is not valid JSON' }));
      }
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(JSON.stringify(body));
}

export function createHttpServer(options: {
  apiRoutes: Route<Handler>[];
  localRoutes: Route<Handler>[];
  faults: Faults;
  /** Checks a request to a local (non-API) route before it is routed: throw to refuse it. */
  guardLocal: (req: IncomingMessage) => void;
  log: (line: string) => void;
  maxBodyBytes?: number;
}): Server {
  const apiRouter = createRouter(options.apiRoutes);
  const localRouter = createRouter(options.localRoutes);
  const cap = options.maxBodyBytes ?? MAX_BODY_BYTES;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      sendJson(res, 400, { error: 'invalid_request', field: 'url' });
      return;
    }
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    options.faults.noteRequest(req, isApi);
    if (isApi && !(await options.faults.admit(req, res))) return;
    const method = req.method ?? 'GET';
    const match = (isApi ? apiRouter : localRouter)(method, url.pathname);
    res.on('finish', () => options.log(scrubTokens(`${method} ${url.pathname} ${res.statusCode}`)));
    if (match.kind === 'not-found') {
      sendJson(res, 404, { error: 'not_found', message: 'no such route' });
      return;
    }
    if (match.kind === 'method-not-allowed') {
      res.setHeader('allow', match.allow.join(', '));
      sendJson(res, 405, { error: 'method_not_allowed', allow: match.allow });
      return;
    }
    let bodyRead: Promise<unknown> | null = null;
    const ctx: RequestContext = {
      req,
      res,
      params: match.params,
      query: url.searchParams,
      body: () => (bodyRead ??= readBody(req, cap)),
    };
    try {
      if (!isApi) options.guardLocal(req);
      const reply = await match.handler(ctx);
      if (reply === STREAMING) return;
      if (reply.contentType) {
        res.writeHead(reply.status, {
          'content-type': reply.contentType,
          'cache-control': 'no-store',
        });
        res.end(reply.body);
        return;
      }
      sendJson(res, reply.status, reply.body);
    } catch (error) {
      if (error instanceof ApiError) {
        sendJson(res, error.status, error.body, error.status === 413);
        return;
      }
      options.log(scrubTokens(`internal error on ${method} ${url.pathname}: ${String(error)}`));
      sendJson(res, 500, { error: 'internal_error' });
    }
  };

  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        options.log(scrubTokens(`internal error: ${String(error)}`));
        if (res.headersSent) res.destroy();
        else sendJson(res, 500, { error: 'internal_error' });
      });
    },
  );
  server.maxConnections = 1024;
  return server;
}
