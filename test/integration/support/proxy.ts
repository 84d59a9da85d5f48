// A transparent HTTP proxy in front of the API emulator. The daemon and its workers talk to
// pipedai-api through it, so a test sees every exchange: it harvests the tokens the emulator
// issues (for the leak search), records redeem polls and their timing, and can hold requests.
// Redeem answers get the proxy's URL as `apiUrl`, so everything persisted stays behind it
// (the simulator keeps the `--api-url` it was given, as the sandbox README promises).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenBook } from './secrets.ts';

export interface Exchange {
  method: string;
  path: string;
  status: number | null;
  /** `error` of a JSON answer. */
  code: string | null;
  json: unknown;
  /** Epoch ms the request arrived, the emulator answered, and the answer was sent on. */
  at: number;
  upstreamAt: number | null;
  answeredAt: number | null;
}

export interface RecordingProxy {
  readonly url: string;
  readonly exchanges: Exchange[];
  /** Requests matching `match` wait until `release()`. */
  hold(match: (method: string, path: string) => boolean): { release(): void };
  /** Answers to requests matching `match` are passed on `ms` after the emulator gave them. */
  delayAnswers(match: (method: string, path: string) => boolean, ms: number): { stop(): void };
  /** Called after each answered non-stream exchange. */
  onAnswer(listener: (x: Exchange) => void): () => void;
  close(): Promise<void>;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'content-length'];

function forwardHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

export async function startRecordingProxy(
  upstreamUrl: string,
  tokens: TokenBook,
): Promise<RecordingProxy> {
  const upstream = new URL(upstreamUrl);
  const exchanges: Exchange[] = [];
  const holds = new Set<{
    match: (m: string, p: string) => boolean;
    opened: Promise<void>;
    release: () => void;
  }>();
  const listeners = new Set<(x: Exchange) => void>();
  const delays = new Set<{ match: (m: string, p: string) => boolean; ms: number }>();
  let url = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void forward(req, res, Buffer.concat(chunks)));
  });

  async function forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    tokens.harvestBearer(req.headers.authorization);
    if (body.length > 0) tokens.harvestText(body.toString('utf8'));
    const x: Exchange = {
      method,
      path,
      status: null,
      code: null,
      json: null,
      at: Date.now(),
      upstreamAt: null,
      answeredAt: null,
    };
    exchanges.push(x);
    for (const h of [...holds]) if (h.match(method, path)) await h.opened;

    // A fresh upstream connection per request: the emulator's outage kills sockets, and a
    // reused one must never turn a delivered request into a spurious failure here.
    const up = http.request({
      host: upstream.hostname,
      port: upstream.port,
      method,
      path,
      headers: { ...forwardHeaders(req.headers), host: upstream.host },
      agent: false,
    });
    // The emulator killed the socket (outage, drop): the client must see the same.
    up.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    up.on('response', (upRes) => {
      x.status = upRes.statusCode ?? null;
      const type = String(upRes.headers['content-type'] ?? '');
      upRes.on('aborted', () => res.destroy());
      upRes.on('error', () => res.destroy());
      if (type.includes('text/event-stream')) {
        res.writeHead(upRes.statusCode ?? 502, forwardHeaders(upRes.headers));
        res.flushHeaders();
        upRes.pipe(res);
        upRes.on('close', () => {
          if (!upRes.complete) res.destroy();
        });
        return;
      }
      const parts: Buffer[] = [];
      upRes.on('data', (c: Buffer) => parts.push(c));
      upRes.on('end', () => void answer());
      const answer = async (): Promise<void> => {
        x.upstreamAt = Date.now();
        const delay = Math.max(
          0,
          ...[...delays].filter((d) => d.match(method, path)).map((d) => d.ms),
        );
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        if (res.destroyed) return;
        let text = Buffer.concat(parts).toString('utf8');
        tokens.harvestText(text);
        try {
          const json: unknown = JSON.parse(text);
          x.json = json;
          if (json && typeof json === 'object') {
            const o = json as Record<string, unknown>;
            if (typeof o.error === 'string') x.code = o.error;
            if (o.apiUrl === upstream.origin) text = JSON.stringify({ ...o, apiUrl: url });
          }
        } catch {
          // not JSON: passed through as is
        }
        const payload = Buffer.from(text, 'utf8');
        res.writeHead(upRes.statusCode ?? 502, {
          ...forwardHeaders(upRes.headers),
          'content-length': payload.length,
        });
        res.end(payload);
        x.answeredAt = Date.now();
        for (const l of listeners) l(x);
      };
    });
    up.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    exchanges,
    hold(match) {
      let open!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      const h = {
        match,
        opened,
        release: () => {
          holds.delete(h);
          open();
        },
      };
      holds.add(h);
      return { release: h.release };
    },
    delayAnswers(match, ms) {
      const d = { match, ms };
      delays.add(d);
      return { stop: () => void delays.delete(d) };
    },
    onAnswer(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      for (const h of [...holds]) h.release();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
