import { afterEach, describe, expect, it } from 'vitest';
import { VERSION } from '../version.ts';
import { ApiClient, type ApiClientOptions } from './client.ts';
import { ApiError } from './errors.ts';
import { sendJson, startTestServer, type Handler, type TestServer } from './test-server.ts';

const TOKEN = 'pwk_SECRETSECRET0123456789';
const DEVICE_CODE = 'devcode-SECRET-abcdef0123';
const ROW = { id: 'w1', status: 'online', lastSeenAt: null, disabled: false, extra: 1 };
const HOST = { hostname: 'h', os: 'linux', version: '1.0.0' };

let servers: TestServer[] = [];
let clients: ApiClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

async function setup(handler: Handler, opts: ApiClientOptions = {}) {
  const server = await startTestServer(handler);
  servers.push(server);
  const delays: number[] = [];
  const client = new ApiClient({
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...opts,
  });
  clients.push(client);
  return { server, client, delays };
}

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('ApiClient requests', () => {
  it('sends the contract headers and JSON body to the normalised URL', async () => {
    const { server, client } = await setup((_req, res) =>
      sendJson(res, 201, { token: 'wrk_abcdefghijkl', expiresAt: 'x', lastFour: 'ijkl', id: 't1' }),
    );
    const out = await client.mintRegistrationToken(`${server.url}//`, TOKEN, 'ws 1', {
      label: 'lab',
    });
    expect(out.token).toBe('wrk_abcdefghijkl');
    const [req] = server.requests;
    expect(req).toMatchObject({
      method: 'POST',
      url: '/api/v1/workspaces/ws%201/workers/registration-token',
    });
    expect(JSON.parse(req!.body)).toEqual({ label: 'lab' });
    expect(req!.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
      'user-agent': `pipedai-orchestrator/${VERSION}`,
    });
  });

  it('sends content-type on bodiless calls and no authorization without a token', async () => {
    const { server, client } = await setup((req, res) =>
      req.method === 'GET'
        ? sendJson(res, 200, {
            pipedaiWorker: { latest: '1.0.0', source: 'npm' },
            pipedaiOrchestrator: { latest: 'unknown', source: 'x' },
          })
        : sendJson(res, 200, { ok: true }),
    );
    await client.releasesLatest(server.url);
    await client.disableWorker(server.url, TOKEN, {
      mode: 'workspace',
      workspaceId: 'ws',
      workerId: 'w',
    });
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
    expect(server.requests[1]).toMatchObject({
      method: 'POST',
      url: '/api/v1/workspaces/ws/workers/w/disable',
      body: '',
    });
    expect(server.requests[1]!.headers['content-type']).toBe('application/json');
  });

  it('routes lifecycle calls by target mode, and treats 404 on delete/self-enable as done', async () => {
    const { server, client } = await setup((req, res) =>
      req.method === 'DELETE' || req.url.endsWith('self-enable')
        ? sendJson(res, 404, { error: 'not_found' })
        : sendJson(res, 200, {}),
    );
    const pool = { mode: 'pool', workerId: 'p1' } as const;
    const ws = { mode: 'workspace', workspaceId: 'ws', workerId: 'w1' } as const;
    await client.disableWorker(server.url, TOKEN, pool);
    await client.enableWorker(server.url, TOKEN, pool);
    expect(await client.deleteWorker(server.url, TOKEN, pool)).toBe('already-gone');
    expect(await client.deleteWorker(server.url, TOKEN, ws)).toBe('already-gone');
    await client.poolSelfDisable(server.url, 'wkt_0123456789ab', 'p1');
    expect(await client.poolSelfEnable(server.url, 'wkt_0123456789ab', 'p1')).toBe('not-found');
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /api/v1/admin/pool-workers/p1/disable',
      'POST /api/v1/admin/pool-workers/p1/enable',
      'DELETE /api/v1/admin/pool-workers/p1',
      'DELETE /api/v1/workspaces/ws/workers/w1',
      'POST /api/v1/pool-workers/p1/self-disable',
      'POST /api/v1/pool-workers/p1/self-enable',
    ]);
  });
});

describe('ApiClient errors', () => {
  it('an error body gives message and code; without one, HTTP <status>', async () => {
    const { server, client } = await setup((req, res) =>
      req.url.startsWith('/api/v1/pool-workers')
        ? sendJson(res, 403, { error: 'forbidden', message: 'x' })
        : res.writeHead(418).end('<html>'),
    );
    const e1 = await apiError(client.listPoolWorkers(server.url, TOKEN));
    expect(e1).toMatchObject({
      kind: 'http',
      status: 403,
      code: 'forbidden',
      message: 'forbidden',
      method: 'GET',
      path: '/api/v1/pool-workers',
    });
    const e2 = await apiError(client.mintRegistrationToken(server.url, TOKEN, 'ws'));
    expect(e2).toMatchObject({ kind: 'http', status: 418, code: undefined, message: 'HTTP 418' });
  });

  it('a malformed 2xx body is an invalid-response error naming the field', async () => {
    const bodies = [
      'not json',
      { items: [{ ...ROW, status: 'sleeping' }] },
      { items: 'nope' },
      [1, 2],
    ];
    const { server, client } = await setup((_req, res) => sendJson(res, 200, bodies.shift()));
    const messages: string[] = [];
    for (let i = 0; i < 4; i++) {
      const e = await apiError(client.listPoolWorkers(server.url, TOKEN));
      expect(e).toMatchObject({ kind: 'invalid-response', status: 200 });
      messages.push(e.message);
    }
    expect(messages[0]).toBe('invalid response from GET /api/v1/pool-workers: body is not JSON');
    expect(messages[1]).toMatch(
      /^invalid response from GET \/api\/v1\/pool-workers: items\[0\]\.status: /,
    );
    expect(messages[2]).toContain('items:');
    expect(messages[3]).toContain('(root)');
    expect(server.requests).toHaveLength(4); // invalid responses are not retried
  });

  it('checks what redeem returns: secret prefixes (hos_, wkt_) and a worker id that names a file', async () => {
    const redeemed = {
      workerId: 'w',
      workerToken: 'wkt_x',
      operatorToken: 'hos_x',
      apiUrl: 'u',
      workspaceId: 'ws',
      environmentId: 'e',
      authMode: 'api_key',
    };
    const bodies = [
      { ...redeemed, operatorToken: 'pwk_notahostoken' },
      { ...redeemed, workerId: '../../.ssh/authorized_keys' },
    ];
    const { server, client } = await setup((_req, res) => sendJson(res, 200, bodies.shift()));
    const redeem = () => apiError(client.redeem(server.url, { deviceCode: DEVICE_CODE, ...HOST }));
    const prefix = await redeem();
    expect(prefix.kind).toBe('invalid-response');
    expect(prefix.message).toContain('operatorToken');
    expect(prefix.message).not.toContain('pwk_notahostoken');
    const id = await redeem();
    expect(id.kind).toBe('invalid-response');
    expect(id.message).toMatch(/workerId: must match \[A-Za-z0-9._-\]\+/);
  });

  it('network failures and timeouts have status 0 and name the call', async () => {
    const { server, client } = await setup(() => {}, {
      timeouts: { jsonMs: 200 },
      getRetryDelaysMs: [],
    });
    const e1 = await apiError(client.redeem(server.url, { deviceCode: DEVICE_CODE, ...HOST }));
    expect(e1).toMatchObject({
      kind: 'network',
      status: 0,
      method: 'POST',
      path: '/api/v1/enrollments/redeem',
    });
    expect(e1.message).toMatch(
      /^network error calling POST \/api\/v1\/enrollments\/redeem: .*timeout/i,
    );
    const dead = server.url;
    await server.close();
    servers = [];
    const e2 = await apiError(client.listPoolWorkers(dead, TOKEN));
    expect(e2.message).toMatch(
      /^network error calling GET \/api\/v1\/pool-workers: .*ECONNREFUSED/,
    );
    const e3 = await apiError(client.releasesLatest('ftp://example.invalid'));
    expect(e3).toMatchObject({ kind: 'network', status: 0 });
  });

  it('does not follow redirects (a token never travels to a Location)', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.url === '/elsewhere') return sendJson(res, 200, { items: [] });
      res.writeHead(302, { location: '/elsewhere' }).end();
    });
    const e = await apiError(client.listPoolWorkers(server.url, TOKEN));
    expect(e).toMatchObject({ kind: 'http', status: 302 });
    expect(e.message).toContain('redirects are not followed');
    expect(server.requests.map((r) => r.url)).toEqual(['/api/v1/pool-workers']);
  });

  it('refuses a response body over the cap', async () => {
    const { server, client } = await setup(
      (_req, res) =>
        sendJson(res, 200, {
          items: Array.from({ length: 5000 }, (_, i) => ({ ...ROW, id: `w${i}` })),
        }),
      { maxBodyBytes: 10_000 },
    );
    const e = await apiError(client.listPoolWorkers(server.url, TOKEN));
    expect(e).toMatchObject({ kind: 'invalid-response', status: 200 });
    expect(e.message).toContain('larger than 10000 bytes');
  });

  it('scrubs the token, the device code and token-shaped strings from every message', async () => {
    // A careless server echoing what it received, plus some other token.
    const { server, client } = await setup((req, res) =>
      sendJson(res, 400, {
        error: `bad ${req.headers.authorization ?? ''} ${req.body} hos_ANOTHERSECRET123`,
      }),
    );
    const errors = [
      await apiError(client.listPoolWorkers(server.url, TOKEN)),
      await apiError(client.redeem(server.url, { deviceCode: DEVICE_CODE, ...HOST })),
      await apiError(client.deleteWorker(server.url, TOKEN, { mode: 'pool', workerId: 'p' })),
    ];
    const text = errors.map((e) => `${e.message} ${e.code} ${e.stack}`).join('\n');
    for (const secret of [TOKEN, DEVICE_CODE, 'hos_ANOTHERSECRET123', 'SECRET'])
      expect(text).not.toContain(secret);
    expect(errors[0]!.message).toContain('pwk_S…');
  });
});

describe('ApiClient retries', () => {
  it('retries a GET through network errors and 5xx, with the configured delays', async () => {
    let n = 0;
    const { server, client, delays } = await setup(
      (_req, res) => {
        n++;
        if (n === 1) return void res.socket?.destroy();
        if (n === 2) return sendJson(res, 503, { error: 'service_unavailable' });
        sendJson(res, 200, { items: [ROW] });
      },
      { getRetryDelaysMs: [5, 7, 9] },
    );
    const out = await client.listPoolWorkers(server.url, TOKEN);
    expect(out.items.map((w) => w.id)).toEqual(['w1']);
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([5, 7]);
  });

  it('gives up after the last retry and reports the last failure', async () => {
    const { server, client, delays } = await setup(
      (_req, res) => sendJson(res, 503, { error: 'service_unavailable' }),
      {
        getRetryDelaysMs: [1, 1],
      },
    );
    const e = await apiError(client.releasesLatest(server.url));
    expect(e).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([1, 1]);
  });

  it('never retries a GET on 4xx, nor any POST or DELETE', async () => {
    const { server, client, delays } = await setup(
      (req, res) =>
        req.method === 'GET'
          ? sendJson(res, 401, { error: 'unauthorized' })
          : sendJson(res, 503, {}),
      { getRetryDelaysMs: [1, 1] },
    );
    await apiError(client.listPoolWorkers(server.url, TOKEN));
    await apiError(client.deviceStart(server.url));
    await apiError(client.enableWorker(server.url, TOKEN, { mode: 'pool', workerId: 'p' }));
    await apiError(client.deleteWorker(server.url, TOKEN, { mode: 'pool', workerId: 'p' }));
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'POST', 'DELETE']);
    expect(delays).toEqual([]);
  });
});

describe('listWorkspaceWorkers pagination', () => {
  it('follows nextCursor until null', async () => {
    const pages: Record<string, unknown> = {
      '': { items: [{ ...ROW, id: 'a' }], nextCursor: 'c1' },
      c1: { items: [{ ...ROW, id: 'b' }], nextCursor: 'c 2' },
      'c 2': { items: [{ ...ROW, id: 'c' }], nextCursor: null },
    };
    const { server, client } = await setup((req, res) => {
      const cursor = new URL(req.url, 'http://x').searchParams.get('cursor') ?? '';
      sendJson(res, 200, pages[cursor]);
    });
    const out = await client.listWorkspaceWorkers(server.url, TOKEN, 'ws');
    expect(out).toMatchObject({ complete: true });
    expect(out.items.map((w) => w.id)).toEqual(['a', 'b', 'c']);
    expect(out.items[0]).toMatchObject({ extra: 1 }); // unknown fields pass through
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/v1/workspaces/ws/workers',
      '/api/v1/workspaces/ws/workers?cursor=c1',
      '/api/v1/workspaces/ws/workers?cursor=c+2',
    ]);
  });

  it('stops at the page cap, and on a repeated cursor, reporting the list incomplete', async () => {
    let n = 0;
    const { server, client } = await setup(
      (_req, res) =>
        sendJson(res, 200, { items: [{ ...ROW, id: `w${n}` }], nextCursor: `c${++n}` }),
      {
        maxPages: 3,
      },
    );
    const capped = await client.listWorkspaceWorkers(server.url, TOKEN, 'ws');
    expect(capped).toMatchObject({ complete: false });
    expect(capped.items).toHaveLength(3);

    const looping = await setup((_req, res) =>
      sendJson(res, 200, { items: [ROW], nextCursor: 'same' }),
    );
    const out = await looping.client.listWorkspaceWorkers(looping.server.url, TOKEN, 'ws');
    expect(out.complete).toBe(false);
    expect(looping.server.requests).toHaveLength(2);
  });

  it('a failing page fails the whole call, with the path but never the cursor', async () => {
    const { server, client } = await setup((req, res) =>
      req.url.includes('cursor')
        ? sendJson(res, 400, { error: 'invalid_request' })
        : sendJson(res, 200, { items: [], nextCursor: 'secretcursor' }),
    );
    const e = await apiError(client.listWorkspaceWorkers(server.url, TOKEN, 'ws'));
    expect(e).toMatchObject({ path: '/api/v1/workspaces/ws/workers', code: 'invalid_request' });
    expect(`${e.message} ${e.path}`).not.toContain('secretcursor');
  });
});

describe('ApiClient.health', () => {
  it('2xx is ok; 3xx (not followed) and 5xx are not; network failure has no status', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.url === '/r/api/v1/health')
        return res.writeHead(302, { location: '/api/v1/health' }).end();
      if (req.url === '/bad/api/v1/health') return sendJson(res, 503, {});
      expect(req.headers.accept).toBe('*/*');
      sendJson(res, 200, { ok: true });
    });
    const ok = await client.health(`${server.url}/`);
    expect(ok).toMatchObject({ ok: true, status: 200 });
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    expect(ok.error).toBeUndefined();
    expect(await client.health(`${server.url}/r`)).toMatchObject({
      ok: false,
      status: 302,
      error: 'HTTP 302',
    });
    expect(await client.health(`${server.url}/bad`)).toMatchObject({ ok: false, status: 503 });
    expect(server.requests.filter((r) => r.url === '/api/v1/health')).toHaveLength(1);

    const silent = await setup(() => {}, { timeouts: { healthMs: 100 } });
    const timedOut = await silent.client.health(silent.server.url);
    expect(timedOut).toMatchObject({ ok: false, status: null, latencyMs: null });
    expect(timedOut.error).toMatch(/timeout/i);
    expect(await client.health('not a url')).toMatchObject({ ok: false, status: null });
  });
});
