import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkspaceWorkersResponse } from '../../app/shared/index.ts';
import { WorkerRegisterResponse } from '../protocol.ts';
import { startApiEmulator } from './index.ts';
import { startTestEmulator, type TestEmulator } from './test-support.ts';

const RUNNER = fileURLToPath(new URL('../index.ts', import.meta.url));
let t: TestEmulator | null = null;
afterEach(async () => {
  await t?.cleanup();
  t = null;
});

describe('bad requests', () => {
  it('answers 4xx bodies, never a 500, and keeps answering', async () => {
    t = await startTestEmulator();
    const em = t;
    const pwk = await em.emu.mintToken('pwk');
    const cases: Array<[string, string, unknown, number, Record<string, unknown>]> = [
      ['POST', '/api/v1/enrollments/device', '{"label": ', 400, { error: 'invalid_json' }],
      [
        'POST',
        '/api/v1/enrollments/device',
        { label: 42 },
        400,
        { error: 'invalid_request', field: 'label' },
      ],
      ['POST', '/api/v1/enrollments/redeem', [], 400, { error: 'invalid_request' }],
      ['POST', '/api/v1/enrollments/redeem', 'null', 400, { error: 'invalid_request' }],
      [
        'POST',
        '/api/v1/enrollments/device',
        'x'.repeat(70_000),
        413,
        { error: 'payload_too_large' },
      ],
      ['GET', '/api/v1/nope', undefined, 404, { error: 'not_found' }],
      ['GET', '/api/v1/%E0%A4%A', undefined, 404, { error: 'not_found' }],
      ['GET', '/sandbox/nope', undefined, 404, { error: 'not_found' }],
      ['DELETE', '/api/v1/health', undefined, 405, { error: 'method_not_allowed' }],
      ['GET', '/api/v1/enrollments/redeem', undefined, 405, { error: 'method_not_allowed' }],
      ['POST', '/sandbox/tokens', { kind: 'wkt' }, 400, { field: 'kind' }],
      [
        'POST',
        '/sandbox/tokens',
        { kind: 'pwk', workspaceId: '../etc' },
        400,
        { field: 'workspaceId' },
      ],
      ['POST', '/sandbox/runs', { workerId: 'ghost' }, 404, { error: 'not_found' }],
      ['POST', '/sandbox/runs', { workerId: 'w', durationMs: -1 }, 400, { field: 'durationMs' }],
      ['POST', '/sandbox/device/approve', {}, 400, { field: 'userCode' }],
      ['POST', '/sandbox/events', { workerId: 'w', type: 'Bad\nType' }, 400, { field: 'type' }],
      ['GET', '/sandbox/runs/ghost', undefined, 404, { error: 'not_found' }],
    ];
    for (const [method, path, body, status, expected] of cases) {
      const res = await em.call(method, path, { body, token: pwk });
      expect([method, path, res.status]).toEqual([method, path, status]);
      expect(res.body).toMatchObject(expected);
    }
    const hb = await em.call('POST', '/api/v1/worker/heartbeat', {
      token: WorkerRegisterResponse.parse(
        (
          await em.call('POST', '/api/v1/worker/register', {
            body: { token: await em.emu.mintToken('wrk'), hostname: 'h' },
          })
        ).body,
      ).workerToken,
      headers: { 'x-pipedai-worker-version': 'x'.repeat(65) },
    });
    expect(hb.body).toMatchObject({ error: 'invalid_request', field: 'x-pipedai-worker-version' });
    const allow = await em.call('PUT', '/api/v1/health');
    expect(allow.headers.get('allow')).toBe('GET');
    expect((await em.call('GET', '/api/v1/health')).status).toBe(200);
  });

  it('keeps other sites out of the /sandbox controls', async () => {
    t = await startTestEmulator();
    const em = t;
    const tokens = (headers: Record<string, string>) =>
      em.call('POST', '/sandbox/tokens', { body: { kind: 'pwk' }, headers });
    expect((await tokens({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await tokens({ 'content-type': 'text/plain' })).status).toBe(415);
    expect((await tokens({ origin: em.emu.url })).status).toBe(201);
    const viaHost = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${em.emu.url}/sandbox/state`,
        { headers: { host: 'rebound.example:80' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(viaHost).toBe(421);
    expect((await em.call('GET', '/sandbox/state')).status).toBe(200);
  });

  it('cuts off an oversized chunked body without reading it all', async () => {
    t = await startTestEmulator();
    const url = new URL('/api/v1/enrollments/device', t.emu.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('['); // no content-length: chunked
      const chunk = '1,'.repeat(16 * 1024);
      for (let i = 0; i < 4; i++) req.write(chunk);
      req.end('1]');
    });
    expect(status).toBe(413);
    expect((await t.call('GET', '/api/v1/health')).status).toBe(200);
  });
});

describe('persistence', () => {
  it('keeps workers and tokens across a restart on the same state dir, without plaintexts on disk', async () => {
    t = await startTestEmulator();
    const pwk = await t.emu.mintToken('pwk');
    const spare = await t.emu.mintToken('wrk');
    const code = await t.emu.issueEnrollmentCode();
    const reg = WorkerRegisterResponse.parse(
      (
        await t.call('POST', '/api/v1/worker/register', {
          body: { token: await t.emu.mintToken('wrk'), hostname: 'h' },
        })
      ).body,
    );
    await t.call('POST', '/api/v1/worker/heartbeat', {
      token: reg.workerToken,
      headers: { 'x-pipedai-worker-version': '1.3.9' },
    });
    await t.call('POST', '/sandbox/releases', { body: { worker: '9.9.9' } });
    await t.restart();

    const file = join(t.dir, 'state', 'state.json');
    const onDisk = readFileSync(file, 'utf8');
    for (const secret of [pwk, spare, code, reg.workerToken]) expect(onDisk).not.toContain(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const list = await t.call('GET', '/api/v1/workspaces/ws_sandbox/workers', { token: pwk });
    expect(list.status).toBe(200);
    expect(WorkspaceWorkersResponse.parse(list.body).items).toMatchObject([
      { id: reg.workerId, version: '1.3.9' },
    ]);
    expect(
      (await t.call('POST', '/api/v1/worker/heartbeat', { token: reg.workerToken })).status,
    ).toBe(200);
    const again = await t.call('POST', '/api/v1/worker/register', {
      body: { token: spare, hostname: 'h' },
    });
    expect(WorkerRegisterResponse.parse(again.body).workerId).toBe(reg.workerId);
    const redeemed = await t.call('POST', '/api/v1/enrollments/redeem', {
      body: { code, hostname: 'x', os: 'linux', version: '1.0.0' },
    });
    expect(redeemed.status).toBe(200);
    expect((await t.call('GET', '/api/v1/releases/latest')).body).toMatchObject({
      pipedaiWorker: { latest: '9.9.9' },
    });
  });

  it('refuses a corrupt state file, naming it, and leaves it alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-api-'));
    try {
      const file = join(dir, 'state.json');
      writeFileSync(file, '{"version": 1, "workers": "nope"}');
      await expect(startApiEmulator({ stateDir: dir })).rejects.toThrow(file);
      writeFileSync(file, '{not json');
      await expect(startApiEmulator({ stateDir: dir })).rejects.toThrow(/not valid JSON/);
      expect(readFileSync(file, 'utf8')).toBe('{not json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('runner', () => {
  it('prints one line, serves, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-run-'));
    const child = spawn(
      process.execPath,
      [RUNNER, 'api', '--port', '0', '--state', join(dir, 's'), '--device-interval', '1'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => out.includes('\n') && resolve(out));
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect(line).toMatch(/^PipedAI sandbox API listening on http:\/\/127\.0\.0\.1:\d+\n$/);
      const url = line.trim().split(' ').at(-1) ?? '';
      const started = await fetch(`${url}/api/v1/enrollments/device`, { method: 'POST' });
      expect(((await started.json()) as { interval: number }).interval).toBe(1);
      const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(out).toBe(line);
      expect(statSync(join(dir, 's', 'state.json')).isFile()).toBe(true);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad flag with exit 2', async () => {
    const child = spawn(process.execPath, [RUNNER, 'api', '--port', 'abc'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('port');
  });
});
