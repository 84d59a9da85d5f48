// The control API's doors under attack, over the real headless daemon (in process, as `start`
// runs it) with one enrolled worker: auth, Host and Origin checks, body bounds, input parsing,
// traversal. Afterwards the daemon still serves, and no secret ever left it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startApiEmulator, type ApiEmulator } from '../../sandbox/api/index.ts';
import { startHeadless, type RunningDaemon } from '../../app/main/hosts/headless.ts';
import { CLI, ROOT, childEnv, ensureBundles, killChildren, run, waitFor } from './support/cli.ts';

interface Reply {
  status: number;
  text: string;
  json(): { error?: string; field?: string; items?: unknown[] };
}

const SECRET_FILE_CONTENT = `secret-${randomBytes(8).toString('hex')}`;
const MB = 1024 * 1024;

describe.runIf(process.platform === 'linux')('control API security (headless daemon)', () => {
  let tmp = '';
  let api: ApiEmulator;
  let daemon: RunningDaemon;
  let port = 0;
  let token = '';
  let workerId = '';
  const secrets: string[] = [];
  /** Everything the daemon said: response bodies, WebSocket frames, log lines. */
  const said: string[] = [];

  function call(
    method: string,
    path: string,
    opts: {
      token?: string | null;
      host?: string;
      origin?: string;
      body?: string | Buffer;
      chunked?: boolean;
      /** Connect to this port instead of the daemon's (a tunnel's local end). */
      via?: number;
    } = {},
  ): Promise<Reply & { headers: Record<string, unknown> }> {
    const to = opts.via ?? port;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { host: opts.host ?? `127.0.0.1:${to}` };
      const t = opts.token === undefined ? token : opts.token;
      if (t) headers.authorization = `Bearer ${t}`;
      if (opts.origin) headers.origin = opts.origin;
      if (opts.body !== undefined) {
        headers['content-type'] = 'application/json';
        if (!opts.chunked) headers['content-length'] = String(Buffer.byteLength(opts.body));
      }
      const req = request({ host: '127.0.0.1', port: to, method, path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          said.push(text);
          resolve({
            status: res.statusCode ?? 0,
            text,
            json: () => JSON.parse(text),
            headers: res.headers,
          });
        });
      });
      req.on('error', reject);
      if (opts.body === undefined) return void req.end();
      if (!opts.chunked) return void req.end(opts.body);
      // Streamed without a length, 64 KiB at a time: the cap must hold while reading.
      const buf = Buffer.from(opts.body);
      let off = 0;
      const pump = (): void => {
        while (off < buf.length) {
          const ok = req.write(buf.subarray(off, (off += 64 * 1024)));
          if (!ok) return void req.once('drain', pump);
        }
        req.end();
      };
      req.on('response', () => (off = buf.length));
      pump();
    });
  }

  function upgrade(
    opts: { token?: string; origin?: string; host?: string; path?: string; via?: number } = {},
  ): Promise<{ status: number; frames: string[] }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
      if (opts.host) headers.host = opts.host;
      const ws = new WebSocket(`ws://127.0.0.1:${opts.via ?? port}${opts.path ?? '/api/events'}`, {
        headers,
        ...(opts.origin ? { origin: opts.origin } : {}),
      });
      const frames: string[] = [];
      ws.on('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode ?? 0, frames });
        ws.terminate();
      });
      ws.on('message', (d: Buffer) => {
        frames.push(d.toString('utf8'));
        said.push(d.toString('utf8'));
        ws.close();
      });
      ws.on('close', () => resolve({ status: 101, frames }));
      ws.on('error', (e) => {
        if (!/Unexpected server response/.test(e.message)) reject(e);
      });
    });
  }

  beforeAll(async () => {
    await ensureBundles();
    tmp = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'cli-security-'));
    const home = join(tmp, 'home');
    api = await startApiEmulator({ port: 0, stateDir: join(tmp, 'sandbox') });
    const env = childEnv({
      HOME: join(tmp, 'user'),
      PIPEDAI_HOME: home,
      PIPEDAI_WORKER_BIN: join(ROOT, 'sandbox/bin/pipedai-worker'),
      PIPEDAI_SIM_HEARTBEAT_MS: '200',
      PIPEDAI_SIM_POLL_MS: '200',
      PIPEDAI_TIMINGS: JSON.stringify({ refreshMs: 300 }),
      PIPEDAI_INTERNET_PROBE_URL: `${api.url}/api/v1/health`,
      PIPEDAI_NPM: '/bin/false',
    });
    const code = await api.issueEnrollmentCode();
    const connect = await run(
      process.execPath,
      [CLI, 'connect', '--token', code, '--api-url', api.url, '--no-install', '--no-open'],
      { env },
    );
    expect(connect.code, connect.stderr).toBe(0);

    // The dashboard root, with a file beside it that traversal must never reach.
    const staticDir = join(tmp, 'web');
    mkdirSync(join(staticDir, 'assets'), { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>shell</title>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(tmp, 'secret.txt'), SECRET_FILE_CONTENT);

    daemon = await startHeadless({
      port: 0,
      env,
      staticDir,
      signals: [],
      log: (line) => said.push(line),
    });
    port = daemon.server.port;
    token = daemon.daemon.localToken;
    const orch = join(home, 'orchestrator');
    const creds = JSON.parse(readFileSync(join(orch, 'credentials.json'), 'utf8')) as {
      operators: Record<string, string>;
    };
    const manifest = JSON.parse(readFileSync(join(orch, 'manifest.json'), 'utf8')) as {
      workers: Array<{ id: string; configPath: string }>;
    };
    workerId = manifest.workers[0]!.id;
    const cfg = JSON.parse(readFileSync(manifest.workers[0]!.configPath, 'utf8')) as {
      workerToken: string;
    };
    secrets.push(token, code, cfg.workerToken, ...Object.values(creds.operators));
    expect(secrets.every((s) => s.length > 10)).toBe(true);
  });

  afterEach(() => killChildren());

  afterAll(async () => {
    await daemon?.stop();
    await api?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('answers 401 without the token, with a wrong one, and with it only in the query', async () => {
    expect((await call('GET', '/api/workers', { token: null })).status).toBe(401);
    const sameLength = `oct_${'x'.repeat(token.length - 4)}`;
    expect((await call('GET', '/api/workers', { token: sameLength })).status).toBe(401);
    expect((await call('GET', '/api/workers', { token: 'oct_short' })).status).toBe(401);
    const q = await call('GET', `/api/workers?token=${encodeURIComponent(token)}`, {
      token: null,
    });
    expect(q.status).toBe(401);
    expect(q.json().error).toBe('Unauthorized');
    expect((await call('GET', '/api/workers')).status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) on HTTP and on the WebSocket', async () => {
    const r = await call('GET', '/api/workers', { host: 'evil.example' });
    expect(r.status).toBe(403);
    expect((await call('GET', '/', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await upgrade({ token, host: 'evil.example' })).status).toBe(403);
  });

  it('answers through an SSH tunnel on another local port; a foreign name stays refused', async () => {
    // `ssh -L <local>:127.0.0.1:<port> server` forwards bytes: a TCP forward is the same thing.
    const open = new Set<Socket>();
    const tunnel = createServer((inbound) => {
      const outbound = connect(port, '127.0.0.1');
      open.add(inbound).add(outbound);
      inbound.pipe(outbound).pipe(inbound);
      const end = (): void => void (inbound.destroy(), outbound.destroy());
      inbound.on('error', end).on('close', end);
      outbound.on('error', end).on('close', end);
    });
    await new Promise<void>((r) => tunnel.listen(0, '127.0.0.1', r));
    const local = (tunnel.address() as AddressInfo).port;
    try {
      expect((await call('GET', '/api/workers', { via: local })).status).toBe(200);
      for (const name of ['localhost', '127.0.0.1', '[::1]'])
        expect(
          (await call('GET', '/api/workers', { via: local, host: `${name}:8080` })).status,
        ).toBe(200);
      const page = await call('GET', '/', { via: local, host: `localhost:${local}` });
      expect(page.status).toBe(200);
      // The page's live events come back through the same tunnel: its CSP names that port.
      expect(page.headers['content-security-policy']).toContain(`ws://localhost:${local}`);
      const ws = await upgrade({ token, via: local, origin: `http://localhost:${local}` });
      expect(ws.status).toBe(101);
      expect(
        (
          await call('POST', `/api/workers/${workerId}/start`, {
            via: local,
            host: `localhost:${local}`,
            origin: `http://localhost:${local}`,
            body: '{}',
          })
        ).status,
      ).toBe(200);

      for (const host of ['evil.example:8080', `127.0.0.1.nip.io:${local}`, 'localhost:99999'])
        expect((await call('GET', '/api/workers', { via: local, host })).status, host).toBe(403);
      expect(
        (await upgrade({ token, via: local, origin: `http://evil.example:${local}` })).status,
      ).toBe(403);
    } finally {
      for (const s of open) s.destroy();
      await new Promise((r) => tunnel.close(r));
    }
  });

  it('refuses a foreign Origin on the WebSocket upgrade and on POST', async () => {
    expect((await upgrade({ token, origin: 'http://evil.example' })).status).toBe(403);
    expect((await upgrade({ token: 'oct_wrong' })).status).toBe(401);
    expect((await upgrade({ token, path: '/api/other' })).status).toBe(401);
    const ok = await upgrade({ token, origin: `http://127.0.0.1:${port}` });
    expect(ok.status).toBe(101);
    expect(ok.frames.length).toBeGreaterThan(0);

    const post = await call('POST', `/api/workers/${workerId}/start`, {
      origin: 'http://evil.example',
      body: '{}',
    });
    expect(post.status).toBe(403);
    const own = await call('POST', `/api/workers/${workerId}/start`, {
      origin: `http://127.0.0.1:${port}`,
      body: '{}',
    });
    expect(own.status).toBe(200);
  });

  it('answers 413 to a 10 MB body, declared or streamed', async () => {
    const big = JSON.stringify({ apiUrl: api.url, label: 'x'.repeat(10 * MB) });
    expect((await call('POST', '/api/workers', { body: big })).status).toBe(413);
    expect((await call('POST', '/api/workers', { body: big, chunked: true })).status).toBe(413);
  });

  it('answers 400 naming the field for malformed JSON and wrong field types', async () => {
    const bad = await call('POST', '/api/workers', { body: '{"apiUrl": ' });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatch(/JSON/);
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/workers', { apiUrl: 42 }, 'apiUrl'],
      ['POST', '/api/workers', { apiUrl: 'not a url' }, 'apiUrl'],
      ['POST', '/api/workers', { apiUrl: api.url, pool: 'yes' }, 'pool'],
      ['POST', '/api/workers', { apiUrl: api.url, label: 7 }, 'label'],
      ['POST', `/api/workers/${workerId}/stop`, { force: 'now' }, 'force'],
      ['POST', `/api/workers/${workerId}/upgrade`, { version: 'file:../evil' }, 'version'],
      ['POST', '/api/workers', [1, 2], '(root)'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await call(method, path, { body: JSON.stringify(body) });
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.json().field, `${path} ${JSON.stringify(body)}`).toBe(field);
    }
  });

  it('refuses .. in run and worker ids (400) and path traversal on static files', async () => {
    for (const runId of ['..%2F..%2Fcredentials', 'a..b', '%2E%2E.', '..%5C..%5Cx']) {
      const r = await call('GET', `/api/workers/${workerId}/runs/${runId}/events`);
      expect(r.status, runId).toBe(400);
      expect(r.json().field, runId).toBe('runId');
    }
    // A bare `..` segment is resolved by URL parsing before routing: another route, not a file.
    expect((await call('GET', `/api/workers/${workerId}/runs/../events`)).status).toBe(404);
    const byWorker = await call('GET', '/api/workers/..%2F..%2Forchestrator/runs');
    expect(byWorker.status).toBe(400);
    expect(byWorker.json().field).toBe('id');

    expect((await call('GET', '/assets/app.js', { token: null })).text).toBe('console.log(1)');
    for (const path of ['/..%2Fsecret.txt', '/assets/..%2F..%2Fsecret.txt', '/%2e%2e%2fsecret.txt'])
      expect((await call('GET', path, { token: null })).status, path).toBe(403);
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%252e%252e%252fsecret.txt',
      '/..%5csecret.txt',
    ]) {
      const r = await call('GET', path, { token: null });
      expect(r.text, path).not.toContain(SECRET_FILE_CONTENT);
    }
  });

  it('leaks no token when a build is given a bad registration token', async () => {
    const pasted = `wrk_${randomBytes(24).toString('base64url')}`;
    secrets.push(pasted);
    const r = await call('POST', '/api/workers', {
      body: JSON.stringify({ apiUrl: api.url, token: pasted, label: 'leak-check' }),
    });
    // Refused upstream (the API does not know the token): a 4xx/502, never a 500 (a bug).
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).not.toBe(500);
    expect(r.json().error).toBeTruthy();
  });

  it('still serves afterwards, and never said a secret', async () => {
    const items = await waitFor('the worker listed', async () => {
      const r = await call('GET', '/api/workers');
      return r.status === 200 && (r.json().items as Array<{ id: string }>);
    });
    expect(items.map((w) => w.id)).toEqual([workerId]);
    expect(said.length).toBeGreaterThan(15);
    for (const text of said) for (const s of secrets) expect(text).not.toContain(s);
  });
});
