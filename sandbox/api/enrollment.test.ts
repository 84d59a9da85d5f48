import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiErrorBody, DeviceStartResponse, RedeemResponse } from '../../app/shared/index.ts';
import { startTestEmulator, type TestEmulator } from './test-support.ts';

const host = { hostname: 'host-a', os: 'linux', version: '1.3.14' };
let t: TestEmulator;
beforeEach(async () => {
  t = await startTestEmulator({ deviceIntervalSec: 2, deviceTtlSec: 60 });
});
afterEach(() => t.cleanup());

async function startDevice(label?: string) {
  const res = await t.call('POST', '/api/v1/enrollments/device', {
    body: label ? { label } : undefined,
  });
  expect(res.status).toBe(200);
  return DeviceStartResponse.parse(res.body);
}
const redeem = (body: unknown) => t.call('POST', '/api/v1/enrollments/redeem', { body });
const errorOf = (body: unknown) => ApiErrorBody.parse(body).error;

describe('device enrollment (RFC 8628)', () => {
  it('starts with a consonant user code, the interval and the expiry', async () => {
    const start = await startDevice('my laptop');
    expect(start.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(start.interval).toBe(2);
    expect(Date.parse(start.expiresAt)).toBe(t.clock.now + 60_000);
    expect(start.verificationUri).toBe(`${t.emu.url}/device`);
    expect(start.verificationUriComplete).toBe(
      `${start.verificationUri}?user_code=${start.userCode}`,
    );
    const page = await fetch(start.verificationUriComplete);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Pair a device');
  });

  it('answers pending, slow_down when polled too fast, then the credentials once approved', async () => {
    const start = await startDevice();
    const poll = () => redeem({ deviceCode: start.deviceCode, ...host });

    let res = await poll();
    expect([res.status, errorOf(res.body)]).toEqual([400, 'authorization_pending']);
    t.clock.advance(500);
    res = await poll();
    expect([res.status, errorOf(res.body)]).toEqual([400, 'slow_down']);
    expect(res.body).toMatchObject({ interval: 7 });
    t.clock.advance(5_000); // less than the raised 7 s
    res = await poll();
    expect(errorOf(res.body)).toBe('slow_down');
    t.clock.advance(12_000);
    res = await poll();
    expect(errorOf(res.body)).toBe('authorization_pending');

    // The user code matches case-insensitively, with or without the dash.
    const approve = await t.call('POST', '/sandbox/device/approve', {
      body: { userCode: start.userCode.replace('-', '').toLowerCase() },
    });
    expect(approve.status).toBe(200);
    t.clock.advance(1); // an approved request answers at once, however fast the poll
    res = await poll();
    expect(res.status).toBe(200);
    const creds = RedeemResponse.parse(res.body);
    expect(creds).toMatchObject({
      apiUrl: t.emu.url,
      workspaceId: 'ws_sandbox',
      environmentId: 'env_sandbox',
      authMode: 'claude_max',
    });

    res = await poll();
    expect([res.status, errorOf(res.body)]).toEqual([409, 'code_consumed']);

    const workers = await t.call('GET', '/api/v1/workspaces/ws_sandbox/workers', {
      token: creds.operatorToken,
    });
    expect(workers.status).toBe(200);
    expect(workers.body).toMatchObject({
      items: [{ id: creds.workerId, hostname: 'host-a', version: '1.3.14' }],
    });
  });

  it('answers 403 once denied, 410 once expired, 404 for an unknown code', async () => {
    const denied = await startDevice();
    const expired = await startDevice();
    expect(denied.userCode).not.toBe(expired.userCode);
    expect(
      (await t.call('POST', '/sandbox/device/deny', { body: { userCode: denied.userCode } }))
        .status,
    ).toBe(200);
    const again = await t.call('POST', '/sandbox/device/approve', {
      body: { userCode: denied.userCode },
    });
    expect([again.status, errorOf(again.body)]).toEqual([409, 'already_decided']);
    let res = await redeem({ deviceCode: denied.deviceCode, ...host });
    expect([res.status, errorOf(res.body)]).toEqual([403, 'access_denied']);

    t.clock.advance(60_000);
    res = await redeem({ deviceCode: expired.deviceCode, ...host });
    expect([res.status, errorOf(res.body)]).toEqual([410, 'expired_token']);
    const late = await t.call('POST', '/sandbox/device/approve', {
      body: { userCode: expired.userCode },
    });
    expect(late.status).toBe(410);

    res = await redeem({ deviceCode: 'no-such-device-code', ...host });
    expect([res.status, errorOf(res.body)]).toEqual([404, 'invalid_code']);
    const unknown = await t.call('POST', '/sandbox/device/approve', {
      body: { userCode: 'BBBB-BBBB' },
    });
    expect(unknown.status).toBe(404);
  });
});

describe('code enrollment (enr_)', () => {
  it('redeems once, re-uses the worker of the same hostname, and refuses consumed codes', async () => {
    const code = await t.emu.issueEnrollmentCode();
    expect(code).toMatch(/^enr_/);
    const res = await redeem({ code, ...host, label: 'box' });
    expect(res.status).toBe(200);
    const first = RedeemResponse.parse(res.body);
    expect(first.workerToken).not.toBe(first.operatorToken);

    const again = await redeem({ code, ...host });
    expect([again.status, errorOf(again.body)]).toEqual([409, 'code_consumed']);

    const second = RedeemResponse.parse(
      (await redeem({ code: await t.emu.issueEnrollmentCode(), ...host })).body,
    );
    expect(second.workerId).toBe(first.workerId);
    expect(second.workerToken).not.toBe(first.workerToken);
    // The earlier wkt_ was rotated out; the new one works.
    const beat = (token: string) => t.call('POST', '/api/v1/worker/heartbeat', { token });
    expect((await beat(first.workerToken)).status).toBe(401);
    expect((await beat(second.workerToken)).status).toBe(200);

    const other = RedeemResponse.parse(
      (await redeem({ code: await t.emu.issueEnrollmentCode(), ...host, hostname: 'host-b' })).body,
    );
    expect(other.workerId).not.toBe(first.workerId);
  });

  it('answers 404 for unknown codes, 410 for expired ones, and uses the workspace auth mode', async () => {
    let res = await redeem({ code: 'enr_nothing-like-this', ...host });
    expect([res.status, errorOf(res.body)]).toEqual([404, 'invalid_code']);
    res = await redeem({ code: await t.emu.mintToken('wrk'), ...host });
    expect(res.status).toBe(404);

    const issued = await t.call('POST', '/sandbox/enrollment-codes', { body: { ttlSec: 10 } });
    expect(issued.status).toBe(201);
    const { code } = issued.body as { code: string };
    t.clock.advance(10_000);
    res = await redeem({ code, ...host });
    expect([res.status, errorOf(res.body)]).toEqual([410, 'expired_token']);

    const ws = await t.call('PUT', '/sandbox/workspaces/ws_keys', {
      body: { authMode: 'api_key' },
    });
    expect(ws.status).toBe(200);
    const keyed = await t.call('POST', '/sandbox/enrollment-codes', {
      body: { workspaceId: 'ws_keys' },
    });
    res = await redeem({ code: (keyed.body as { code: string }).code, ...host });
    expect(RedeemResponse.parse(res.body)).toMatchObject({
      workspaceId: 'ws_keys',
      authMode: 'api_key',
    });
  });

  it('names the failing field of a bad redeem request', async () => {
    let res = await redeem({ code: 'enr_x', hostname: 'h', os: 'linux' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', field: 'version' });
    res = await redeem({ hostname: 'h', os: 'linux', version: '1' });
    expect(res.body).toMatchObject({ error: 'invalid_request', field: 'code' });
    res = await redeem({ code: 'a', deviceCode: 'b', ...host });
    expect(res.status).toBe(400);
  });
});
