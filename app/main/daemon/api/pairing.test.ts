import { describe, expect, it } from 'vitest';
import type { DeviceStartResponse, RedeemRequest, RedeemResponse } from '../../../shared/index.ts';
import { ApiError } from './errors.ts';
import {
  PairingError,
  redeemEnrollmentCode,
  startDevicePairing,
  type EnrollmentClient,
} from './pairing.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const DEVICE_CODE = 'dev-code-SECRET-0123456789';
const ENR_CODE = 'enr_abcdefghijklmnop';
const HOST = { hostname: 'host-1', os: 'linux', version: '1.2.3' };
const RESULT: RedeemResponse = {
  workerId: 'w1',
  workerToken: 'wkt_0123456789abcdef',
  operatorToken: 'hos_0123456789abcdef',
  apiUrl: 'http://api.test',
  workspaceId: 'ws1',
  environmentId: 'env1',
  authMode: 'api_key',
};

const httpError = (status: number, code?: string): ApiError =>
  new ApiError(
    { kind: 'http', status, code, method: 'POST', path: '/api/v1/enrollments/redeem' },
    code ?? `HTTP ${status}`,
  );
const networkError = (): ApiError =>
  new ApiError(
    { kind: 'network', status: 0, method: 'POST', path: '/api/v1/enrollments/redeem' },
    'network error',
  );
const PENDING = (): ApiError => httpError(400, 'authorization_pending');
const SLOW = (): ApiError => httpError(400, 'slow_down');

type Step = RedeemResponse | Error | (() => Error);

/** A fake API with a fake clock: each sleep advances time, each redeem consumes one scripted step. */
function harness(opts: { interval?: number; ttlSec?: number; steps?: Step[]; repeat?: Step } = {}) {
  let t = T0;
  const sleeps: number[] = [];
  const bodies: RedeemRequest[] = [];
  const slowDowns: number[] = [];
  const steps = [...(opts.steps ?? [])];
  const start: DeviceStartResponse = {
    id: 'd1',
    deviceCode: DEVICE_CODE,
    userCode: 'ABCD-EFGH',
    verificationUri: 'http://api.test/device',
    verificationUriComplete: 'http://api.test/device?code=ABCD-EFGH',
    interval: opts.interval ?? 5,
    expiresAt: new Date(T0 + (opts.ttlSec ?? 900) * 1000).toISOString(),
  };
  const client: EnrollmentClient = {
    deviceStart: async () => start,
    redeem: async (_url, body) => {
      bodies.push(body);
      const step = steps.shift() ?? opts.repeat ?? PENDING;
      const value = typeof step === 'function' ? step() : step;
      if (value instanceof Error) throw value;
      return value;
    },
  };
  const clock = {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
  const pair = () =>
    startDevicePairing(client, 'http://api.test/', {
      label: 'my-label',
      hostInfo: HOST,
      onSlowDown: (s) => slowDowns.push(s),
      ...clock,
    });
  return { client, clock, sleeps, bodies, slowDowns, pair, elapsed: () => t - T0 };
}

async function failure(p: Promise<unknown>): Promise<PairingError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PairingError);
  return e as PairingError;
}

describe('startDevicePairing', () => {
  it('exposes the codes to show and polls at once, then every interval, until approved', async () => {
    const h = harness({ steps: [PENDING, PENDING, RESULT] });
    const pairing = await h.pair();
    expect(pairing).toMatchObject({
      userCode: 'ABCD-EFGH',
      verificationUri: 'http://api.test/device',
      verificationUriComplete: 'http://api.test/device?code=ABCD-EFGH',
    });
    expect(JSON.stringify(pairing)).not.toContain(DEVICE_CODE);
    await expect(pairing.wait()).resolves.toEqual(RESULT);
    expect(h.sleeps).toEqual([5000, 5000]);
    expect(h.bodies).toHaveLength(3);
    expect(h.bodies[0]).toEqual({ deviceCode: DEVICE_CODE, ...HOST, label: 'my-label' });
  });

  it.each([
    [0, 5000],
    [0.2, 1000],
    [7, 7000],
    [600, 60_000],
  ])('server interval %s → sleeps %s ms', async (interval, expected) => {
    const h = harness({ interval, steps: [PENDING, RESULT] });
    await (await h.pair()).wait();
    expect(h.sleeps).toEqual([expected]);
  });

  it('slow_down adds 5 s per answer, capped at 60 s, and reports each new interval', async () => {
    const h = harness({ steps: [...Array.from({ length: 13 }, () => SLOW), PENDING, RESULT] });
    await (await h.pair()).wait();
    const grown = [10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 60, 60];
    expect(h.slowDowns).toEqual(grown);
    expect(h.sleeps).toEqual([...grown, 60].map((s) => s * 1000));
  });

  it('network errors keep polling', async () => {
    const h = harness({ steps: [networkError, networkError, PENDING, networkError, RESULT] });
    await expect((await h.pair()).wait()).resolves.toEqual(RESULT);
    expect(h.bodies).toHaveLength(5);
  });

  it.each([
    [410, 'expired'],
    [403, 'denied'],
    [404, 'invalid'],
    [409, 'consumed'],
  ] as const)('HTTP %s stops with %s', async (status, reason) => {
    const h = harness({ steps: [PENDING, () => httpError(status, 'whatever')] });
    const e = await failure((await h.pair()).wait());
    expect(e.reason).toBe(reason);
    expect(h.bodies).toHaveLength(2);
  });

  it('anything else stops with the server message or the status', async () => {
    let h = harness({ steps: [() => httpError(400, 'invalid_request')] });
    let e = await failure((await h.pair()).wait());
    expect(e).toMatchObject({ reason: 'failed', message: 'pairing failed: invalid_request' });

    h = harness({ steps: [() => httpError(500)] });
    e = await failure((await h.pair()).wait());
    expect(e).toMatchObject({ reason: 'failed', message: 'pairing failed: HTTP 500' });

    const bad = new ApiError(
      { kind: 'invalid-response', status: 200, method: 'POST', path: '/api/v1/enrollments/redeem' },
      'invalid response from POST /api/v1/enrollments/redeem: operatorToken: Invalid input',
    );
    h = harness({ steps: [bad] });
    e = await failure((await h.pair()).wait());
    expect(e.reason).toBe('failed');
    expect(e.message).toContain('operatorToken');
    expect(h.bodies).toHaveLength(1);
  });

  it('expires at expiresAt, never sleeping past it', async () => {
    const h = harness({ ttlSec: 12 });
    const e = await failure((await h.pair()).wait());
    expect(e.reason).toBe('expired');
    expect(h.sleeps).toEqual([5000, 5000, 2000]);
    expect(h.bodies).toHaveLength(3);
    expect(h.elapsed()).toBe(12_000);
  });

  it('never waits longer than the overall cap, even if the server allows more', async () => {
    const h = harness({ ttlSec: 4 * 3600, interval: 60 });
    const e = await failure((await h.pair()).wait());
    expect(e.reason).toBe('expired');
    expect(h.elapsed()).toBe(30 * 60_000);

    const short = harness({ ttlSec: 3600 });
    const p = await startDevicePairing(short.client, 'http://api.test', {
      hostInfo: HOST,
      maxWaitMs: 7000,
      ...short.clock,
    });
    expect((await failure(p.wait())).reason).toBe('expired');
    expect(short.elapsed()).toBe(7000);
  });

  it('a code already expired on arrival is never redeemed', async () => {
    const h = harness({ ttlSec: -1 });
    expect((await failure((await h.pair()).wait())).reason).toBe('expired');
    expect(h.bodies).toHaveLength(0);
  });

  it('stops with aborted when the signal fires before or while waiting', async () => {
    const before = harness();
    const ac = new AbortController();
    ac.abort();
    expect((await failure((await before.pair()).wait(ac.signal))).reason).toBe('aborted');
    expect(before.bodies).toHaveLength(0);

    const during = harness();
    const ac2 = new AbortController();
    let n = 0;
    const pairing = await startDevicePairing(during.client, 'http://api.test', {
      hostInfo: HOST,
      now: during.clock.now,
      sleep: async (ms, signal) => {
        await during.clock.sleep(ms);
        if (++n === 2) ac2.abort();
        expect(signal).toBe(ac2.signal);
      },
    });
    const e = await failure(pairing.wait(ac2.signal));
    expect(e).toMatchObject({ reason: 'aborted', message: 'pairing was cancelled' });
    expect(during.bodies).toHaveLength(2);
  });

  it('an abort during a redeem call reports aborted, not a network error', async () => {
    const ac = new AbortController();
    const client: EnrollmentClient = {
      deviceStart: async () => ({
        id: 'd',
        deviceCode: DEVICE_CODE,
        userCode: 'U',
        verificationUri: 'v',
        verificationUriComplete: 'v',
        interval: 5,
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      }),
      redeem: async (_u, _b, o) => {
        ac.abort();
        expect(o?.signal?.aborted).toBe(true);
        throw networkError();
      },
    };
    const pairing = await startDevicePairing(client, 'http://api.test', { hostInfo: HOST });
    expect((await failure(pairing.wait(ac.signal))).reason).toBe('aborted');
  });

  it('can be waited for only once', async () => {
    const h = harness({ steps: [RESULT] });
    const pairing = await h.pair();
    await pairing.wait();
    expect((await failure(pairing.wait())).reason).toBe('failed');
  });

  it('start failures are PairingErrors, including an unreadable expiresAt', async () => {
    const down: EnrollmentClient = {
      deviceStart: async () => {
        throw httpError(503, 'maintenance');
      },
      redeem: async () => RESULT,
    };
    const e = await failure(startDevicePairing(down, 'http://api.test', { hostInfo: HOST }));
    expect(e).toMatchObject({
      reason: 'failed',
      message: 'could not start device pairing: maintenance',
    });

    const h = harness();
    const odd: EnrollmentClient = {
      ...h.client,
      deviceStart: async () => ({ ...(await h.client.deviceStart('x')), expiresAt: 'soon' }),
    };
    expect(
      (await failure(startDevicePairing(odd, 'http://api.test', { hostInfo: HOST }))).message,
    ).toContain('expiresAt');
  });

  it('never shows the device code, in messages or callbacks', async () => {
    const messages: string[] = [];
    const outcomes: Step[] = [
      () => new Error(`socket hang up while sending ${DEVICE_CODE}`),
      () => httpError(400, `bad device code ${DEVICE_CODE}`),
      () => httpError(410),
      () => httpError(403),
      () => httpError(404),
      () => httpError(409),
      () => httpError(500),
    ];
    for (const step of outcomes) {
      const h = harness({ steps: [SLOW, step] });
      const e = await failure((await h.pair()).wait());
      messages.push(e.message, String(e.stack), ...h.slowDowns.map(String));
    }
    expect(messages.join('\n')).not.toContain(DEVICE_CODE);
    expect(messages.join('\n')).not.toContain('SECRET');
  });
});

describe('redeemEnrollmentCode', () => {
  function client(outcome: Step) {
    const bodies: RedeemRequest[] = [];
    const c: EnrollmentClient = {
      deviceStart: async () => {
        throw new Error('unused');
      },
      redeem: async (_u, body) => {
        bodies.push(body);
        const v = typeof outcome === 'function' ? outcome() : outcome;
        if (v instanceof Error) throw v;
        return v;
      },
    };
    return { c, bodies };
  }

  it('redeems once with the code and host info', async () => {
    const { c, bodies } = client(RESULT);
    await expect(
      redeemEnrollmentCode(c, 'http://api.test', ENR_CODE, HOST, { label: 'l' }),
    ).resolves.toEqual(RESULT);
    expect(bodies).toEqual([{ code: ENR_CODE, ...HOST, label: 'l' }]);
  });

  it.each([
    [() => httpError(410), 'expired', 'enrollment code enr_a… has expired'],
    [() => httpError(403), 'denied', 'enrollment code enr_a… was revoked or is not allowed'],
    [() => httpError(404), 'invalid', 'enrollment code enr_a… is not valid'],
    [() => httpError(409), 'consumed', 'enrollment code enr_a… was already used'],
    [
      () => httpError(400, 'authorization_pending'),
      'failed',
      'enrollment with code enr_a… failed: authorization_pending',
    ],
    [networkError, 'failed', 'enrollment with code enr_a… failed: network error'],
    [
      () => httpError(500, `no such code ${ENR_CODE}`),
      'failed',
      'enrollment with code enr_a… failed: no such code enr_a…',
    ],
  ] as const)('every error is terminal and scrubbed (%#)', async (outcome, reason, message) => {
    const { c, bodies } = client(outcome);
    const e = await failure(redeemEnrollmentCode(c, 'http://api.test', ENR_CODE, HOST));
    expect(e).toMatchObject({ reason, message });
    expect(e.message).not.toContain(ENR_CODE);
    expect(bodies).toHaveLength(1);
  });

  it('reports aborted when its signal fired', async () => {
    const ac = new AbortController();
    ac.abort();
    const { c } = client(networkError);
    expect(
      (
        await failure(
          redeemEnrollmentCode(c, 'http://api.test', ENR_CODE, HOST, { signal: ac.signal }),
        )
      ).reason,
    ).toBe('aborted');
  });
});
