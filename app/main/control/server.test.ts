import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CommandError, type CommandHandlers, type EventFrame } from '../../shared/index.ts';
import { stubHandlers } from '../../shared/test-support.ts';
import { newChallenge, proofFor } from './proof.ts';
import { startControlServer, type ControlServer } from './server.ts';

const TOKEN = 'oct_' + 'a'.repeat(43);

function fakeHandlers(calls: Array<[string, unknown]>): CommandHandlers {
  return stubHandlers(
    {
      listWorkers: async () => ({ items: [] }),
      buildWorker: async (input) => {
        calls.push(['build', input]);
        return { id: 'w_new' };
      },
      upgradeWorker: async (input) => ({
        id: input.id,
        action: 'upgrade',
        ok: true,
        target: 'x',
        durationMs: 1,
        oldVersion: null,
      }),
      upgradeSelf: async () => ({ ok: true, action: 'upgrade-self', durationMs: 1 }),
      getSelf: async () => ({ version: '0.8.0', latest: null, stale: false, lastCheckedAt: null }),
      getLogs: async (input) => {
        calls.push(['logs', input]);
        return { items: [] };
      },
      listRuns: async () => ({ items: [] }),
      getRunEvents: async (input) => {
        calls.push(['events', input]);
        return { items: [] };
      },
      getConnectivity: async () => ({ current: null, history: [] }),
      startPairing: async () => ({
        pairingId: 'p1',
        userCode: 'BCDF-GHJK',
        verificationUri: 'u',
        verificationUriComplete: 'u',
        expiresAt: 'e',
      }),
      pairingStatus: async () => ({ state: 'waiting' }),
      cancelPairing: async () => ({ ok: true }),
    },
    calls,
  );
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

function call(
  port: number,
  method: string,
  path: string,
  opts: { token?: string | null; host?: string; origin?: string; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: opts.host ?? `127.0.0.1:${port}` };
    const token = opts.token === undefined ? TOKEN : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.origin) headers.origin = opts.origin;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON (static file)
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

let server: ControlServer;
let calls: Array<[string, unknown]>;
let listeners: Array<(f: EventFrame) => void>;
let staticDir: string;

beforeEach(async () => {
  calls = [];
  listeners = [];
  staticDir = mkdtempSync(join(tmpdir(), 'static-'));
  writeFileSync(
    join(staticDir, 'index.html'),
    '<!doctype html><title>PipedAI Orchestrator</title>',
  );
  writeFileSync(join(staticDir, 'app.js'), 'console.log(1)');
  server = await startControlServer({
    port: 0,
    token: () => TOKEN,
    handlers: fakeHandlers(calls),
    subscribe: (l) => {
      listeners.push(l);
      return () => undefined;
    },
    staticDir,
  });
});
afterEach(async () => {
  await server.close();
  rmSync(staticDir, { recursive: true, force: true });
});

describe('control server', () => {
  it('routes the contract table with params, query and body merged and parsed', async () => {
    const p = server.port;
    expect((await call(p, 'GET', '/api/workers')).body).toEqual({ items: [] });
    expect(
      await call(p, 'POST', '/api/workers/w%201/stop', { body: '{"force":true}' }),
    ).toMatchObject({
      status: 200,
      body: { id: 'w 1', action: 'stop', ok: true },
    });
    expect(calls.at(-1)).toEqual(['stop', { id: 'w 1', force: true }]);
    expect(
      (
        await call(p, 'POST', '/api/workers', {
          body: JSON.stringify({ apiUrl: 'http://127.0.0.1:9' }),
        })
      ).status,
    ).toBe(201);
    await call(p, 'GET', '/api/workers/w1/logs?tail=99999');
    expect(calls.at(-1)).toEqual(['logs', { id: 'w1', tail: 2000 }]);
    await call(p, 'GET', '/api/workers/w1/logs?tail=abc');
    expect(calls.at(-1)).toEqual(['logs', { id: 'w1', tail: 1 }]);
    // A mutating route ignores the query string: its input is the body.
    expect(
      await call(p, 'POST', '/api/workers?apiUrl=http://127.0.0.1:9', { body: '{}' }),
    ).toMatchObject({ status: 400, body: { field: 'apiUrl' } });
    expect(await call(p, 'DELETE', '/api/workers/missing')).toMatchObject({
      status: 404,
      body: { code: 'not-found' },
    });
  });

  it('refuses missing and wrong tokens with 401, and a foreign Host with 403', async () => {
    const p = server.port;
    expect((await call(p, 'GET', '/api/workers', { token: null })).status).toBe(401);
    expect((await call(p, 'GET', '/api/workers', { token: 'oct_wrong' })).status).toBe(401);
    expect((await call(p, 'GET', '/api/workers?token=' + TOKEN, { token: null })).status).toBe(401);
    expect((await call(p, 'GET', '/api/workers', { host: 'evil.example' })).status).toBe(403);
    expect((await call(p, 'GET', '/api/workers', { host: `evil.example:${p}` })).status).toBe(403);
    expect((await call(p, 'GET', '/', { host: 'evil.example' })).status).toBe(403);
    expect((await call(p, 'GET', '/api/workers', { host: `localhost:${p}` })).status).toBe(200);
  });

  it('takes a loopback name with any port in Host (SSH tunnels) and nothing else', async () => {
    const p = server.port;
    const status = async (host: string) => (await call(p, 'GET', '/api/workers', { host })).status;
    for (const host of [
      'localhost:8080',
      '127.0.0.1:1',
      '[::1]:65535',
      'LOCALHOST:8080',
      'localhost',
    ])
      expect(await status(host), host).toBe(200);
    for (const host of [
      'evil.example:8080',
      'localhost.evil.example:8080',
      '127.0.0.1.nip.io',
      'localhost:0',
      'localhost:65536',
      'localhost:8080:1',
      '[::2]:8080',
      '127.0.0.2:8080',
      ' ',
    ])
      expect(await status(host), host).toBe(403);
  });

  it('refuses a foreign Origin on mutating requests and accepts our own', async () => {
    const p = server.port;
    const evil = await call(p, 'POST', '/api/workers/w1/start', { origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(calls).toEqual([]);
    expect(
      (await call(p, 'POST', '/api/workers/w1/start', { origin: `http://127.0.0.1:${p}` })).status,
    ).toBe(200);
    // A tunnel's page: a loopback name on another port.
    for (const origin of ['http://localhost:8080', 'http://[::1]:9000', 'http://127.0.0.1'])
      expect((await call(p, 'POST', '/api/workers/w1/start', { origin })).status, origin).toBe(200);
    for (const origin of ['http://evil.example:8080', 'https://localhost:8080', 'null', 'file://'])
      expect((await call(p, 'POST', '/api/workers/w1/start', { origin })).status, origin).toBe(403);
  });

  it('answers bad input with 4xx naming the field, never 500', async () => {
    const p = server.port;
    expect(await call(p, 'POST', '/api/workers', { body: '{nope' })).toMatchObject({
      status: 400,
      body: { error: 'invalid JSON body' },
    });
    expect(await call(p, 'POST', '/api/workers', { body: '[1]' })).toMatchObject({ status: 400 });
    const wrongType = await call(p, 'POST', '/api/workers', {
      body: JSON.stringify({ apiUrl: 'http://x', pool: 'yes' }),
    });
    expect(wrongType).toMatchObject({ status: 400, body: { field: 'pool' } });
    expect(
      await call(p, 'POST', '/api/workers', { body: JSON.stringify({ apiUrl: 'not a url' }) }),
    ).toMatchObject({ status: 400, body: { field: 'apiUrl' } });
    expect(
      await call(p, 'POST', '/api/workers/w1/upgrade', {
        body: JSON.stringify({ version: 'file:../evil' }),
      }),
    ).toMatchObject({ status: 400, body: { field: 'version' } });
    expect(await call(p, 'GET', '/api/workers/w1/runs/..%2F..%2Fetc/events')).toMatchObject({
      status: 400,
      body: { field: 'runId' },
    });
    expect(await call(p, 'GET', '/api/workers/../runs')).toMatchObject({ status: 404 });
    const big = await call(p, 'POST', '/api/workers', {
      body: Buffer.alloc(10 * 1024 * 1024, 0x20),
    });
    expect(big.status).toBe(413);
    expect((await call(p, 'GET', '/api/nothing')).status).toBe(404);
    expect((await call(p, 'PUT', '/api/workers')).status).toBe(405);
    expect((await call(p, 'GET', '/api/workers/%E0%A4%A/logs')).status).toBe(404);
    expect((await call(p, 'GET', '/api/workers')).status).toBe(200);
  });

  it('serves the dashboard with a strict CSP, SPA fallback and no traversal', async () => {
    const p = server.port;
    const index = await call(p, 'GET', '/', { token: null });
    expect(index.status).toBe(200);
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("style-src 'self';");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect((await call(p, 'GET', '/app.js', { token: null })).headers['content-type']).toContain(
      'text/javascript',
    );
    expect((await call(p, 'GET', '/some/route', { token: null })).body).toContain(
      'PipedAI Orchestrator',
    );
    expect((await call(p, 'GET', '/..%2f..%2fetc%2fpasswd', { token: null })).status).toBe(403);
    // The URL parser folds dot segments first: the answer is the dashboard, never the file.
    expect((await call(p, 'GET', '/%2e%2e/%2e%2e/etc/passwd', { token: null })).body).toContain(
      'PipedAI Orchestrator',
    );
  });

  it('refuses to listen beyond loopback', async () => {
    await expect(
      startControlServer({
        host: '0.0.0.0',
        port: 0,
        token: () => TOKEN,
        handlers: fakeHandlers([]),
        subscribe: () => () => undefined,
        staticDir: null,
      }),
    ).rejects.toThrow(/loopback-only/);
  });
});

/** One request written by hand on a fresh connection: the answer's status and JSON body (or null). */
function rawRequest(
  port: number,
  headers: string[],
  body: Buffer = Buffer.alloc(0),
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = got.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (got.length < end + 4 + length) return;
      socket.destroy();
      const text = got.subarray(end + 4, end + 4 + length).toString('utf8');
      resolve({ status: Number(head.split(' ')[1]), body: text === '' ? null : JSON.parse(text) });
    });
    socket.on('close', () => reject(new Error(`closed before a whole answer: ${String(got)}`)));
    socket.write([...headers, '', ''].join('\r\n'));
    if (body.length > 0) socket.write(body);
  });
}

describe('control server request bodies', () => {
  const CAP = 1024;
  let small: ControlServer;
  beforeEach(async () => {
    small = await startControlServer({
      port: 0,
      token: () => TOKEN,
      handlers: fakeHandlers(calls),
      subscribe: () => () => undefined,
      staticDir,
      maxBodyBytes: CAP,
    });
  });
  afterEach(() => small.close());

  const post = (extra: string[]) => [
    'POST /api/workers HTTP/1.1',
    `Host: 127.0.0.1:${small.port}`,
    `Authorization: Bearer ${TOKEN}`,
    'Content-Type: application/json',
    ...extra,
  ];
  /** A valid build request padded with spaces to exactly `bytes`. */
  const bodyOf = (bytes: number): Buffer => {
    const json = JSON.stringify({ apiUrl: 'http://127.0.0.1:9' });
    return Buffer.from(json + ' '.repeat(bytes - json.length));
  };

  it('answers 413 on a declared Content-Length over the cap, before a byte of the body arrives', async () => {
    // Nothing of the body is sent: only the header can have decided.
    expect(await rawRequest(small.port, post([`Content-Length: ${CAP + 1}`]))).toEqual({
      status: 413,
      body: { error: `request body larger than ${CAP} bytes`, code: 'bad-request' },
    });
    expect(calls).toEqual([]);
  });

  it('answers 413 on a chunked body (no length declared) that grows past the cap', async () => {
    const chunked = ['Transfer-Encoding: chunked'];
    const big = bodyOf(CAP + 1);
    const chunk = Buffer.concat([
      Buffer.from(`${big.length.toString(16)}\r\n`),
      big,
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
    expect(await rawRequest(small.port, post(chunked), chunk)).toMatchObject({ status: 413 });
    expect(calls).toEqual([]);
  });

  it('takes a body of exactly the cap, declared or streamed', async () => {
    const body = bodyOf(CAP);
    expect(await rawRequest(small.port, post([`Content-Length: ${CAP}`]), body)).toMatchObject({
      status: 201,
      body: { id: 'w_new' },
    });
    expect(await call(small.port, 'POST', '/api/workers', { body })).toMatchObject({
      status: 201,
    });
    expect(calls.map(([name]) => name)).toEqual(['build', 'build']);
  });
});

describe('control server events', () => {
  const open = (url: string, headers: Record<string, string> = {}): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });

  it('authenticates by header or ?token=, refuses foreign origins, and delivers frames', async () => {
    const base = `ws://127.0.0.1:${server.port}/api/events`;
    await expect(open(base)).rejects.toThrow('HTTP 401');
    await expect(open(`${base}?token=bad`)).rejects.toThrow('HTTP 401');
    await expect(open(`${base}?token=${TOKEN}`, { origin: 'http://evil.example' })).rejects.toThrow(
      'HTTP 403',
    );
    const ws = await open(`${base}?token=${TOKEN}`, { origin: `http://127.0.0.1:${server.port}` });
    const got = new Promise<unknown>((resolve) =>
      ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))),
    );
    const frame: EventFrame = {
      kind: 'logs',
      id: 'w1',
      lines: [{ ts: 1, stream: 'out', line: 'hello' }],
    };
    for (const l of listeners) l(frame);
    expect(await got).toEqual(frame);
    ws.close();
  });
});

describe('control client over the server', () => {
  it('round-trips commands typed from the contract and rebuilds CommandErrors', async () => {
    const { createControlClient } = await import('./client.ts');
    const client = createControlClient({ baseUrl: server.url, token: TOKEN });
    expect(await client.call('stopWorker', { id: 'w/1', force: true })).toEqual({
      id: 'w/1',
      action: 'stop',
      ok: true,
    });
    expect(calls.at(-1)).toEqual(['stop', { id: 'w/1', force: true }]);
    await client.call('getRunEvents', { id: 'w1', runId: 'r1', after: 3 });
    expect(calls.at(-1)).toEqual(['events', { id: 'w1', runId: 'r1', after: 3 }]);
    await expect(client.call('deleteWorker', { id: 'missing' })).rejects.toMatchObject({
      code: 'not-found',
    });
    const bad = createControlClient({ baseUrl: server.url, token: 'oct_nope' });
    // A client with another token is refused before it sends it.
    await expect(bad.call('listWorkers', {})).rejects.toMatchObject({ code: 'forbidden' });
    const down = createControlClient({ baseUrl: 'http://127.0.0.1:1', token: TOKEN });
    await expect(down.call('listWorkers', {})).rejects.toMatchObject({ code: 'unavailable' });
  });
});

/** A plain HTTP listener on a free port that records every request and answers with `reply`. */
async function impostor(
  reply: (path: string) => Promise<{ status: number; body: string }>,
): Promise<{ url: string; seen: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const srv = createServer((req, res) => {
    seen.push(req.headers);
    void reply(req.url ?? '/').then(({ status, body }) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

describe('the server proves itself before a client sends the token', () => {
  it('answers a challenge with the HMAC under the token, bound to its port, without a token', async () => {
    const challenge = newChallenge();
    const r = await call(server.port, 'GET', `/api/proof?challenge=${challenge}`, { token: null });
    expect(r).toMatchObject({
      status: 200,
      body: { proof: proofFor(TOKEN, server.port, challenge) },
    });
    // A proof for another port, or under another token, is a different answer.
    expect(proofFor(TOKEN, server.port + 1, challenge)).not.toBe(
      proofFor(TOKEN, server.port, challenge),
    );
    expect(proofFor('oct_other', server.port, challenge)).not.toBe(
      proofFor(TOKEN, server.port, challenge),
    );
    expect(
      await call(server.port, 'GET', '/api/proof?challenge=short', { token: null }),
    ).toMatchObject({ status: 400, body: { code: 'bad-request', field: 'challenge' } });
  });

  it('never sends the token to a listener that cannot prove itself, or that relays the real proof', async () => {
    const { createControlClient } = await import('./client.ts');
    // A plain listener that answers everything with 200 {}.
    const plain = await impostor(async () => ({ status: 200, body: '{"items":[]}' }));
    // A smarter one: asks the real daemon (on another port) and passes its answer on.
    const relay = await impostor(async (path) => {
      const r = await call(server.port, 'GET', path, { token: null });
      return { status: r.status, body: JSON.stringify(r.body) };
    });
    try {
      for (const fake of [plain, relay]) {
        const client = createControlClient({ baseUrl: fake.url, token: TOKEN });
        await expect(client.call('listWorkers', {})).rejects.toMatchObject({
          code: 'forbidden',
          message: expect.stringContaining('the token was not sent to it'),
        });
        const closed = await new Promise<string>((resolve) =>
          client.events(() => undefined, resolve),
        );
        expect(closed).toMatch(/could not prove it holds this host's local token/);
        expect(fake.seen.length).toBeGreaterThan(0);
        for (const headers of fake.seen) expect(headers.authorization).toBeUndefined();
        expect(JSON.stringify(fake.seen)).not.toContain(TOKEN);
      }
    } finally {
      await plain.close();
      await relay.close();
    }
    // The real daemon proves itself, then gets the token.
    const real = createControlClient({ baseUrl: server.url, token: TOKEN });
    await real.verify();
    expect(await real.call('listWorkers', {})).toEqual({ items: [] });
  });
});

describe('control server answers', () => {
  it('every refusal is JSON naming its reason and code, never cached', async () => {
    const p = server.port;
    const refusals: Array<[Reply, number, object]> = [
      [
        await call(p, 'GET', '/api/workers', { token: null }),
        401,
        { error: 'Unauthorized', code: 'unauthorized' },
      ],
      [
        await call(p, 'GET', '/api/workers', { host: 'evil.example' }),
        403,
        { error: 'Host not allowed', code: 'forbidden' },
      ],
      [
        await call(p, 'POST', '/api/workers/w1/start', { origin: 'http://evil.example' }),
        403,
        { error: 'cross-origin request refused', code: 'forbidden' },
      ],
      [await call(p, 'GET', '/api/nothing'), 404, { error: 'Not found', code: 'not-found' }],
      [
        await call(p, 'PUT', '/api/workers'),
        405,
        { error: 'Method not allowed', code: 'bad-request' },
      ],
    ];
    for (const [reply, status, body] of refusals) {
      expect(reply.status).toBe(status);
      expect(reply.body).toEqual(body);
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(reply.headers['cache-control']).toBe('no-store');
    }
    expect((await call(p, 'PUT', '/api/workers')).headers.allow).toBe('GET, POST');
  });

  it('a body must be one JSON object; an empty body is an empty input', async () => {
    const p = server.port;
    for (const body of ['[1]', '"text"', 'null', '5', 'true'])
      expect(await call(p, 'POST', '/api/workers', { body }), body).toMatchObject({
        status: 400,
        body: { error: 'request body must be a JSON object', code: 'bad-request', field: '(root)' },
      });
    expect((await call(p, 'POST', '/api/workers/w1/start', { body: ' \n ' })).status).toBe(200);
    expect(calls).toContainEqual(['start', { id: 'w1' }]);
  });

  it('any Origin may read (GET, HEAD)', async () => {
    const p = server.port;
    expect((await call(p, 'GET', '/api/workers', { origin: 'http://evil.example' })).status).toBe(
      200,
    );
    expect((await call(p, 'HEAD', '/api/workers', { origin: 'http://evil.example' })).status).toBe(
      200,
    );
  });

  it('the proof answers a GET only; /api itself is the API, not the dashboard', async () => {
    const p = server.port;
    const challenge = 'a'.repeat(43);
    expect((await call(p, 'POST', `/api/proof?challenge=${challenge}`)).status).toBe(404);
    expect(await call(p, 'GET', '/api', { token: null })).toMatchObject({ status: 401 });
  });

  it('reports a handler’s bug as a 500 to its hook, with the URL; a CommandError is no bug', async () => {
    const bugs: Array<[string, string]> = [];
    const failing = await startControlServer({
      port: 0,
      token: () => TOKEN,
      handlers: stubHandlers({
        listWorkers: async () => {
          throw new Error('bug');
        },
        getSelf: async () => {
          throw new CommandError('conflict', 'busy');
        },
      }),
      subscribe: () => () => undefined,
      staticDir: null,
      onInternalError: (e, url) => bugs.push([(e as Error).message, url]),
    });
    try {
      expect(await call(failing.port, 'GET', '/api/workers?x=1')).toMatchObject({
        status: 500,
        body: { code: 'internal' },
      });
      expect(await call(failing.port, 'GET', '/api/self')).toMatchObject({
        status: 409,
        body: { error: 'busy', code: 'conflict' },
      });
      expect(bugs).toEqual([['bug', 'listWorkers']]);
    } finally {
      await failing.close();
    }
  });

  it('close stops the event subscription', async () => {
    let unsubscribed = 0;
    const s = await startControlServer({
      port: 0,
      token: () => TOKEN,
      handlers: stubHandlers(),
      subscribe: () => () => void unsubscribed++,
      staticDir: null,
    });
    await s.close();
    expect(unsubscribed).toBe(1);
  });

  it('the page’s CSP names the Host it was reached by, lower-cased, else our own address', async () => {
    const p = server.port;
    const csp = (r: Reply) => String(r.headers['content-security-policy']);
    expect(csp(await call(p, 'GET', '/', { host: 'LocalHost:8080' }))).toContain(
      "connect-src 'self' ws://localhost:8080;",
    );
    expect(csp(await call(p, 'GET', '/api/workers'))).toContain(`ws://127.0.0.1:${p};`);
  });
});

describe('control server metrics', () => {
  let withMetrics: ControlServer;
  beforeEach(async () => {
    withMetrics = await startControlServer({
      port: 0,
      token: () => TOKEN,
      handlers: stubHandlers(),
      subscribe: () => () => undefined,
      staticDir: null,
      metrics: { contentType: 'text/plain; version=0.0.4', text: async () => 'up 1\n' },
    });
  });
  afterEach(async () => {
    await withMetrics.close();
  });

  it('serves the scrape to the bearer token, GET or HEAD only', async () => {
    const p = withMetrics.port;
    const ok = await call(p, 'GET', '/metrics');
    expect(ok).toMatchObject({ status: 200, body: 'up 1\n' });
    expect(ok.headers['content-type']).toBe('text/plain; version=0.0.4');
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.headers['x-frame-options']).toBe('DENY');
    const head = await call(p, 'HEAD', '/metrics');
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-length']).toBe('5');
    expect(await call(p, 'GET', '/metrics', { token: null })).toMatchObject({
      status: 401,
      body: { error: 'Unauthorized', code: 'unauthorized' },
    });
    const post = await call(p, 'POST', '/metrics');
    expect(post).toMatchObject({
      status: 405,
      body: { error: 'Method not allowed', code: 'bad-request' },
    });
    expect(post.headers.allow).toBe('GET');
  });

  it('a scrape that fails is a 500, reported to the hook with its URL', async () => {
    const bugs: Array<[string, string]> = [];
    const failing = await startControlServer({
      port: 0,
      token: () => TOKEN,
      handlers: stubHandlers(),
      subscribe: () => () => undefined,
      staticDir: null,
      metrics: {
        contentType: 'text/plain',
        text: async () => {
          throw new Error('registry broken');
        },
      },
      onInternalError: (e, url) => bugs.push([(e as Error).message, url]),
    });
    try {
      expect(await call(failing.port, 'GET', '/metrics?x=1')).toMatchObject({
        status: 500,
        body: { code: 'internal' },
      });
      expect(bugs).toEqual([['registry broken', '/metrics?x=1']]);
    } finally {
      await failing.close();
    }
  });

  it('is not found where the daemon serves no metrics', async () => {
    expect(await call(server.port, 'GET', '/metrics')).toMatchObject({
      status: 404,
      body: { error: 'Not found', code: 'not-found' },
    });
  });
});
