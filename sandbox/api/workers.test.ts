import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiErrorBody,
  PoolWorkersResponse,
  RegistrationTokenResponse,
  ReleasesResponse,
  WorkspaceWorkersResponse,
} from '../../app/shared/index.ts';
import { ClaimResponse, HeartbeatResponse, WorkerRegisterResponse } from '../protocol.ts';
import { startTestEmulator, type TestEmulator } from './test-support.ts';

let t: TestEmulator;
beforeEach(async () => {
  t = await startTestEmulator({ heartbeatTtlMs: 10_000 });
});
afterEach(() => t.cleanup());

async function register(hostname: string, opts: { pool?: boolean; token?: string } = {}) {
  const token = opts.token ?? (await t.emu.mintToken(opts.pool ? 'pool' : 'wrk'));
  const res = await t.call('POST', '/api/v1/worker/register', {
    body: { token, hostname, pool: opts.pool ?? false, authMode: 'claude-max' },
  });
  expect(res.status).toBe(200);
  return WorkerRegisterResponse.parse(res.body);
}
const heartbeat = (token: string, version = '1.3.9') =>
  t.call('POST', '/api/v1/worker/heartbeat', {
    token,
    headers: { 'x-pipedai-worker-version': version },
  });
const list = async (token: string, query = '') => {
  const res = await t.call('GET', `/api/v1/workspaces/ws_sandbox/workers${query}`, { token });
  expect(res.status).toBe(200);
  return WorkspaceWorkersResponse.parse(res.body);
};

describe('registration', () => {
  it('mints a one-time wrk_ token with a 15-minute expiry, answered once', async () => {
    const pwk = await t.emu.mintToken('pwk');
    const res = await t.call('POST', '/api/v1/workspaces/ws_sandbox/workers/registration-token', {
      token: pwk,
      body: { label: 'ci' },
    });
    expect(res.status).toBe(201);
    const minted = RegistrationTokenResponse.parse(res.body);
    expect(Date.parse(minted.expiresAt)).toBe(t.clock.now + 15 * 60_000);
    expect(minted.token.endsWith(minted.lastFour)).toBe(true);
    const state = await t.call('GET', '/sandbox/state');
    expect(JSON.stringify(state.body)).not.toContain(minted.token);

    const first = await register('h1', { token: minted.token });
    expect(first).toMatchObject({ workspaceId: 'ws_sandbox', isPool: false, apiUrl: t.emu.url });
    const reuse = await t.call('POST', '/api/v1/worker/register', {
      body: { token: minted.token, hostname: 'h2' },
    });
    expect([reuse.status, ApiErrorBody.parse(reuse.body).error]).toEqual([409, 'token_consumed']);

    const late = await t.emu.mintToken('wrk');
    t.clock.advance(15 * 60_000);
    const expired = await t.call('POST', '/api/v1/worker/register', {
      body: { token: late, hostname: 'h3' },
    });
    expect(expired.status).toBe(410);
  });

  it('de-duplicates by (workspace, hostname) and checks the token kind against --pool', async () => {
    const a = await register('same-host');
    const b = await register('same-host');
    expect(b.workerId).toBe(a.workerId);
    expect((await heartbeat(a.workerToken)).status).toBe(401); // rotated
    expect((await heartbeat(b.workerToken)).status).toBe(200);

    const pool = await register('same-host', { pool: true });
    expect(pool).toMatchObject({ isPool: true, workspaceId: null });
    expect(pool.workerId).not.toBe(a.workerId);

    const wrongKind = await t.call('POST', '/api/v1/worker/register', {
      body: { token: await t.emu.mintToken('wrk'), hostname: 'x', pool: true },
    });
    expect([wrongKind.status, ApiErrorBody.parse(wrongKind.body).error]).toEqual([
      403,
      'wrong_token_kind',
    ]);
    const unknown = await t.call('POST', '/api/v1/worker/register', {
      body: { token: 'wrk_nope', hostname: 'x' },
    });
    expect(unknown.status).toBe(401);
    const badMode = await t.call('POST', '/api/v1/worker/register', {
      body: { token: await t.emu.mintToken('wrk'), hostname: 'x', authMode: 'magic' },
    });
    expect(badMode.body).toMatchObject({ error: 'invalid_request', field: 'authMode' });
  });
});

describe('worker lists', () => {
  it('derives status from heartbeats: disabled > busy > online > offline, version from the header', async () => {
    const pwk = await t.emu.mintToken('pwk');
    const w = await register('h');
    let row = (await list(pwk)).items[0];
    expect(row).toMatchObject({
      id: w.workerId,
      status: 'offline',
      derivedStatus: 'offline',
      lastSeenAt: null,
      currentRunId: null,
      disabled: false,
    });

    expect(HeartbeatResponse.parse((await heartbeat(w.workerToken, '1.3.9')).body)).toEqual({
      ok: true,
      disabled: false,
    });
    row = (await list(pwk)).items[0];
    expect(row).toMatchObject({
      status: 'online',
      derivedStatus: 'online',
      version: '1.3.9',
      lastSeenAt: new Date(t.clock.now).toISOString(),
    });

    const { runId } = (
      await t.call('POST', '/sandbox/runs', {
        body: { workerId: w.workerId, durationMs: 5, events: 1 },
      })
    ).body as { runId: string };
    const claim = ClaimResponse.parse(
      (await t.call('POST', '/api/v1/worker/claim', { token: w.workerToken })).body,
    );
    expect(claim.run).toMatchObject({ runId, durationMs: 5, events: 1 });
    row = (await list(pwk)).items[0];
    expect(row).toMatchObject({ derivedStatus: 'busy', currentRunId: runId, status: 'online' });

    expect(
      (
        await t.call('POST', `/api/v1/workspaces/ws_sandbox/workers/${w.workerId}/disable`, {
          token: pwk,
        })
      ).status,
    ).toBe(200);
    row = (await list(pwk)).items[0];
    expect(row).toMatchObject({ derivedStatus: 'disabled', disabled: true, currentRunId: runId });

    const finish = await t.call('POST', `/api/v1/worker/runs/${runId}/finish`, {
      token: w.workerToken,
      body: { status: 'succeeded' },
    });
    expect(finish.status).toBe(200);
    const twice = await t.call('POST', `/api/v1/worker/runs/${runId}/finish`, {
      token: w.workerToken,
      body: { status: 'succeeded' },
    });
    expect(twice.status).toBe(409);
    expect((await t.call('GET', `/sandbox/runs/${runId}`)).body).toMatchObject({
      status: 'succeeded',
    });

    t.clock.advance(10_000);
    expect(
      (
        await t.call('POST', `/api/v1/workspaces/ws_sandbox/workers/${w.workerId}/enable`, {
          token: pwk,
        })
      ).status,
    ).toBe(200);
    row = (await list(pwk)).items[0];
    expect(row).toMatchObject({
      status: 'offline',
      derivedStatus: 'offline',
      disabled: false,
      currentRunId: null,
    });
  });

  it('pages the workspace list with cursor and limit', async () => {
    const pwk = await t.emu.mintToken('pwk');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await register(`host-${i}`)).workerId);
    await register('elsewhere', {
      token: await t.emu.mintToken('wrk', { workspaceId: 'ws_other' }),
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(
        pwk,
        `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((w) => w.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    expect((await list(pwk)).nextCursor).toBeNull();

    const bad = await t.call('GET', '/api/v1/workspaces/ws_sandbox/workers?limit=0', {
      token: pwk,
    });
    expect(bad.body).toMatchObject({ error: 'invalid_request', field: 'limit' });
    const badCursor = await t.call('GET', '/api/v1/workspaces/ws_sandbox/workers?cursor=zzz', {
      token: pwk,
    });
    expect(badCursor.body).toMatchObject({ error: 'invalid_request', field: 'cursor' });
  });

  it('lists pool workers for pop_ tokens only', async () => {
    const pool = await register('pool-host', { pool: true });
    await register('ws-host');
    const res = await t.call('GET', '/api/v1/pool-workers', {
      token: await t.emu.mintToken('pop'),
    });
    expect(res.status).toBe(200);
    const rows = PoolWorkersResponse.parse(res.body).items;
    expect(rows.map((r) => r.id)).toEqual([pool.workerId]);
    expect(rows[0]).not.toHaveProperty('workspaceId');

    expect((await t.call('GET', '/api/v1/pool-workers')).status).toBe(401);
    expect((await t.call('GET', '/api/v1/pool-workers', { token: 'pop_unknown' })).status).toBe(
      401,
    );
    expect(
      (await t.call('GET', '/api/v1/pool-workers', { token: await t.emu.mintToken('pwk') })).status,
    ).toBe(403);
  });
});

describe('lifecycle and token kinds', () => {
  it('checks every token kind on the workspace endpoints', async () => {
    const w = await register('h');
    const base = `/api/v1/workspaces/ws_sandbox/workers`;
    const hos = (await t
      .call('POST', '/api/v1/enrollments/redeem', {
        body: {
          code: await t.emu.issueEnrollmentCode(),
          hostname: 'enrolled',
          os: 'linux',
          version: '1.0.0',
        },
      })
      .then((r) => r.body)) as { operatorToken: string };
    for (const token of [await t.emu.mintToken('pwk'), hos.operatorToken]) {
      expect((await t.call('GET', base, { token })).status).toBe(200);
    }
    expect((await t.call('GET', base)).status).toBe(401);
    expect((await t.call('GET', base, { token: 'pwk_forged-token-value' })).status).toBe(401);
    expect((await t.call('GET', base, { headers: { authorization: 'Basic abc' } })).status).toBe(
      401,
    );
    for (const kind of ['pop', 'admin', 'wrk', 'pool'] as const) {
      const res = await t.call('GET', base, { token: await t.emu.mintToken(kind) });
      expect([kind, res.status]).toEqual([kind, 403]);
      ApiErrorBody.parse(res.body);
    }
    expect((await t.call('GET', base, { token: w.workerToken })).status).toBe(403);
    const other = await t.emu.mintToken('pwk', { workspaceId: 'ws_other' });
    expect((await t.call('GET', base, { token: other })).status).toBe(403);
    expect((await t.call('POST', `${base}/${w.workerId}/disable`, { token: other })).status).toBe(
      403,
    );
    expect(
      (
        await t.call('POST', '/api/v1/workspaces/ws_other/workers/registration-token', {
          token: other,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await t.call('POST', `/api/v1/workspaces/ws_other/workers/${w.workerId}/disable`, {
          token: other,
        })
      ).status,
    ).toBe(404);
  });

  it('deletes a workspace worker once: token revoked, soft-deleted, queued runs cancelled, 404 after', async () => {
    const pwk = await t.emu.mintToken('pwk');
    const w = await register('h');
    const { runId } = (await t.call('POST', '/sandbox/runs', { body: { workerId: w.workerId } }))
      .body as { runId: string };
    const path = `/api/v1/workspaces/ws_sandbox/workers/${w.workerId}`;
    expect((await t.call('DELETE', path, { token: pwk })).status).toBe(200);
    const again = await t.call('DELETE', path, { token: pwk });
    expect(again.status).toBe(404);
    ApiErrorBody.parse(again.body);
    expect((await heartbeat(w.workerToken)).status).toBe(401);
    expect((await list(pwk)).items).toEqual([]);
    expect((await t.call('GET', `/sandbox/workers/${w.workerId}`)).body).toMatchObject({
      deleted: true,
    });
    expect((await t.call('GET', `/sandbox/runs/${runId}`)).body).toMatchObject({
      status: 'cancelled',
    });
    expect((await t.call('POST', `${path}/enable`, { token: pwk })).status).toBe(404);
    const fresh = await register('h');
    expect(fresh.workerId).not.toBe(w.workerId);
  });

  it('keeps admin pool endpoints to admin tokens and self-disable to the worker itself', async () => {
    const a = await register('pool-a', { pool: true });
    const b = await register('pool-b', { pool: true });
    const ws = await register('ws-worker');
    const admin = await t.emu.mintToken('admin');
    const adminPath = (id: string) => `/api/v1/admin/pool-workers/${id}`;

    for (const token of [
      await t.emu.mintToken('pwk'),
      await t.emu.mintToken('pop'),
      a.workerToken,
    ]) {
      expect((await t.call('POST', `${adminPath(a.workerId)}/disable`, { token })).status).toBe(
        403,
      );
    }
    expect((await t.call('POST', `${adminPath(a.workerId)}/disable`)).status).toBe(401);
    expect(
      (await t.call('POST', `${adminPath(a.workerId)}/disable`, { token: admin })).status,
    ).toBe(200);
    expect((await t.call('GET', `/sandbox/workers/${a.workerId}`)).body).toMatchObject({
      disabled: true,
    });
    expect((await t.call('POST', `${adminPath(a.workerId)}/enable`, { token: admin })).status).toBe(
      200,
    );
    expect(
      (await t.call('POST', `${adminPath(ws.workerId)}/disable`, { token: admin })).status,
    ).toBe(404);

    const self = (id: string, verb: string, token?: string) =>
      t.call('POST', `/api/v1/pool-workers/${id}/self-${verb}`, { token });
    expect((await self(a.workerId, 'disable', b.workerToken)).status).toBe(403);
    expect((await self(a.workerId, 'disable', admin)).status).toBe(403);
    expect((await self(a.workerId, 'disable')).status).toBe(401);
    expect((await self(a.workerId, 'disable', a.workerToken)).status).toBe(200);
    expect((await heartbeat(a.workerToken)).body).toEqual({ ok: true, disabled: true });
    expect((await self(a.workerId, 'enable', a.workerToken)).status).toBe(200);
    expect((await self(ws.workerId, 'disable', ws.workerToken)).status).toBe(404);

    expect(
      (await t.call('DELETE', adminPath(b.workerId), { token: await t.emu.mintToken('pwk') }))
        .status,
    ).toBe(403);
    expect((await t.call('DELETE', adminPath(b.workerId), { token: admin })).status).toBe(200);
    expect((await t.call('DELETE', adminPath(b.workerId), { token: admin })).status).toBe(404);
    expect((await self(b.workerId, 'enable', b.workerToken)).status).toBe(401);
  });
});

describe('runs', () => {
  it('never hands a run to a disabled worker, and assigns it once re-enabled', async () => {
    const pwk = await t.emu.mintToken('pwk');
    const w = await register('h');
    await t.call('POST', `/api/v1/workspaces/ws_sandbox/workers/${w.workerId}/disable`, {
      token: pwk,
    });
    await t.call('POST', '/sandbox/runs', { body: { workerId: w.workerId } });
    const claim = () =>
      t
        .call('POST', '/api/v1/worker/claim', { token: w.workerToken })
        .then((r) => ClaimResponse.parse(r.body));
    expect((await claim()).run).toBeNull();
    await t.call('POST', `/api/v1/workspaces/ws_sandbox/workers/${w.workerId}/enable`, {
      token: pwk,
    });
    expect((await claim()).run).not.toBeNull();
    expect((await claim()).run).toBeNull(); // one run at a time
  });

  it('fails the run of a worker whose heartbeats stop as infra', async () => {
    const w = await register('h');
    await heartbeat(w.workerToken);
    const { runId } = (await t.call('POST', '/sandbox/runs', { body: { workerId: w.workerId } }))
      .body as { runId: string };
    await t.call('POST', '/api/v1/worker/claim', { token: w.workerToken });
    t.clock.advance(5_000);
    await heartbeat(w.workerToken);
    t.clock.advance(9_000);
    expect((await t.call('GET', `/sandbox/runs/${runId}`)).body).toMatchObject({
      status: 'running',
    });
    t.clock.advance(2_000);
    // The sweeper runs on its own timer; poll rather than assume its schedule.
    let run: unknown;
    for (let i = 0; i < 100; i++) {
      run = (await t.call('GET', `/sandbox/state`)).body;
      if (JSON.stringify(run).includes('"failureKind":"infra"')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await t.call('GET', `/sandbox/runs/${runId}`)).body).toMatchObject({
      status: 'failed',
      failureKind: 'infra',
    });
    expect((await t.call('GET', `/sandbox/workers/${w.workerId}`)).body).toMatchObject({
      currentRunId: null,
      derivedStatus: 'offline',
    });
    const finish = await t.call('POST', `/api/v1/worker/runs/${runId}/finish`, {
      token: w.workerToken,
      body: { status: 'succeeded' },
    });
    expect(finish.status).toBe(409);
  });

  it('answers releases and health, and lets the sandbox set releases (unknown allowed)', async () => {
    let res = await t.call('GET', '/api/v1/releases/latest');
    expect(ReleasesResponse.parse(res.body).pipedaiWorker.latest).toMatch(/^\d+\.\d+\.\d+/);
    res = await t.call('POST', '/sandbox/releases', {
      body: { worker: '2.0.0', orchestrator: 'unknown' },
    });
    expect(res.status).toBe(200);
    res = await t.call('GET', '/api/v1/releases/latest');
    const releases = ReleasesResponse.parse(res.body);
    expect([releases.pipedaiWorker.latest, releases.pipedaiOrchestrator.latest]).toEqual([
      '2.0.0',
      'unknown',
    ]);
    expect(
      (await t.call('POST', '/sandbox/releases', { body: { worker: 'latest' } })).body,
    ).toMatchObject({ field: 'worker' });
    expect((await t.call('GET', '/api/v1/health')).status).toBe(200);
  });
});
