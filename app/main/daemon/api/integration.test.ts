// The client, pairing and event streams over real HTTP against the sandbox API emulator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiEmulator, type ApiEmulator } from '../../../../sandbox/api/index.ts';
import type { DeviceStartResponse, LastEvent, RedeemResponse } from '../../../shared/index.ts';
import { ApiClient } from './client.ts';
import { ApiError } from './errors.ts';
import { EventStreams } from './event-streams.ts';
import {
  PairingError,
  redeemEnrollmentCode,
  startDevicePairing,
  type EnrollmentClient,
} from './pairing.ts';
import { until } from './test-support.ts';

const HOST = { hostname: 'it-host', os: 'linux', version: '1.3.14' };
const WS = 'ws_sandbox';

let dir: string;
let api: ApiEmulator;
let client: ApiClient;
/** Every secret the tests saw, and every error text the code under test produced. */
const secrets = new Set<string>();
const errorTexts: string[] = [];
/** Called by the client's retry wait: lets a test change faults between attempts. */
let onRetryWait: () => Promise<void> = async () => {};
let retryWaits = 0;

function keep<T extends string>(s: T): T {
  secrets.add(s);
  return s;
}

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(api.url + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const out: unknown = await res.json();
  if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status} ${JSON.stringify(out)}`);
  return out;
}

async function failure<E extends Error>(
  p: Promise<unknown>,
  type: new (...a: never[]) => E,
): Promise<E> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(type);
  const err = e as E;
  errorTexts.push(err.message, String(err.stack));
  return err;
}

function remember(r: RedeemResponse): RedeemResponse {
  keep(r.operatorToken);
  keep(r.workerToken);
  return r;
}

async function enroll(hostname: string): Promise<RedeemResponse> {
  const code = keep(await api.issueEnrollmentCode());
  return remember(await redeemEnrollmentCode(client, api.url, code, { ...HOST, hostname }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pipedai-api-it-'));
  api = await startApiEmulator({
    port: 0,
    stateDir: join(dir, 'state'),
    deviceIntervalSec: 1,
    keepAliveMs: 200,
  });
  client = new ApiClient({
    getRetryDelaysMs: [10, 10, 10],
    sleep: async () => {
      retryWaits++;
      await onRetryWait();
    },
  });
});

afterAll(async () => {
  client?.close();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('device pairing against the emulator', () => {
  /** The real client, remembering device codes so the test can check they never leak. */
  const capturing = (starts: DeviceStartResponse[] = []): EnrollmentClient => ({
    deviceStart: async (url, o) => {
      const s = await client.deviceStart(url, o);
      keep(s.deviceCode);
      starts.push(s);
      return s;
    },
    redeem: (url, body, o) => client.redeem(url, body, o),
  });

  it('approved: polls until the operator approves, then returns the credentials', async () => {
    const pairing = await startDevicePairing(capturing(), `${api.url}/`, {
      label: 'it-label',
      hostInfo: HOST,
    });
    expect(pairing.verificationUriComplete).toContain(pairing.userCode);
    const waiting = pairing.wait();
    await control('POST', '/sandbox/device/approve', { userCode: pairing.userCode });
    const result = remember(await waiting);
    expect(result).toMatchObject({ apiUrl: api.url, workspaceId: WS });
    expect(result.operatorToken.startsWith('hos_')).toBe(true);
  });

  it('denied', async () => {
    const pairing = await startDevicePairing(capturing(), api.url, { hostInfo: HOST });
    const waiting = pairing.wait();
    await control('POST', '/sandbox/device/deny', { userCode: pairing.userCode });
    expect((await failure(waiting, PairingError)).reason).toBe('denied');
  });

  it('consumed: a device code that was already redeemed', async () => {
    const starts: DeviceStartResponse[] = [];
    const first = await startDevicePairing(capturing(starts), api.url, {
      hostInfo: { ...HOST, hostname: 'consumed' },
    });
    await control('POST', '/sandbox/device/approve', { userCode: first.userCode });
    remember(await first.wait());
    const replay: EnrollmentClient = { ...capturing(), deviceStart: async () => starts[0]! };
    const again = await startDevicePairing(replay, api.url, { hostInfo: HOST });
    expect((await failure(again.wait(), PairingError)).reason).toBe('consumed');
  });

  it('invalid: a device code the API does not know', async () => {
    const bogus: EnrollmentClient = {
      ...capturing(),
      deviceStart: async (url) => ({
        ...(await client.deviceStart(url)),
        deviceCode: keep('not-a-real-device-code-123'),
      }),
    };
    const pairing = await startDevicePairing(bogus, api.url, { hostInfo: HOST });
    expect((await failure(pairing.wait(), PairingError)).reason).toBe('invalid');
  });

  it('expired: a short-lived code nobody approves', async () => {
    const shortDir = mkdtempSync(join(tmpdir(), 'pipedai-api-it-'));
    const shortLived = await startApiEmulator({
      port: 0,
      stateDir: shortDir,
      deviceIntervalSec: 1,
      deviceTtlSec: 1,
    });
    try {
      const pairing = await startDevicePairing(capturing(), shortLived.url, { hostInfo: HOST });
      const e = await failure(pairing.wait(), PairingError);
      expect(e.reason).toBe('expired');
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(pairing.expiresAt) - 1000);
    } finally {
      await shortLived.close();
      rmSync(shortDir, { recursive: true, force: true });
    }
  });

  it('an unreachable API fails the start with a network message', async () => {
    const e = await failure(
      startDevicePairing(client, 'http://127.0.0.1:9', { hostInfo: HOST }),
      PairingError,
    );
    expect(e.reason).toBe('failed');
    expect(e.message).toMatch(
      /^could not start device pairing: network error calling POST \/api\/v1\/enrollments\/device: /,
    );
  });
});

describe('enrollment code redeem against the emulator', () => {
  it('redeems once; a second use is consumed; an unknown code is invalid; the code is scrubbed', async () => {
    const code = keep(await api.issueEnrollmentCode());
    const result = remember(
      await redeemEnrollmentCode(client, api.url, code, { ...HOST, hostname: 'flow-a' }),
    );
    expect(result.workspaceId).toBe(WS);

    const again = await failure(redeemEnrollmentCode(client, api.url, code, HOST), PairingError);
    expect(again).toMatchObject({
      reason: 'consumed',
      message: `enrollment code ${code.slice(0, 5)}… was already used`,
    });

    const unknown = keep('enr_doesnotexist0123456789');
    const bad = await failure(redeemEnrollmentCode(client, api.url, unknown, HOST), PairingError);
    expect(bad.reason).toBe('invalid');
    expect(bad.message).toBe('enrollment code enr_d… is not valid');
  });
});

describe('lists and lifecycle against the emulator', () => {
  it('lists parse, and the workspace list follows nextCursor past the first page', async () => {
    const pwk = keep(await api.mintToken('pwk'));
    const mine = await enroll('list-host-0');
    for (let i = 1; i <= 55; i++) await enroll(`list-host-${i}`); // the emulator pages by 50
    const list = await client.listWorkspaceWorkers(api.url, pwk, WS);
    expect(list.complete).toBe(true);
    const ids = list.items.map((w) => w.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(56);
    expect(list.items.find((w) => w.id === mine.workerId)).toMatchObject({
      status: 'offline',
      disabled: false,
    });

    const pop = keep(await api.mintToken('pop'));
    expect((await client.listPoolWorkers(api.url, pop)).items).toBeInstanceOf(Array);

    const releases = await client.releasesLatest(api.url);
    expect(releases.pipedaiWorker.latest).toBeTypeOf('string');
    expect(await client.health(api.url)).toMatchObject({ ok: true, status: 200 });

    const minted = await client.mintRegistrationToken(api.url, mine.operatorToken, WS, {
      label: 'x',
    });
    keep(minted.token);
    expect(minted.token.startsWith('wrk_')).toBe(true);
  });

  it('disable, enable and delete a workspace worker; a second delete is already gone', async () => {
    const w = await enroll('lifecycle-host');
    const target = { mode: 'workspace', workspaceId: WS, workerId: w.workerId } as const;
    const row = async () =>
      (await client.listWorkspaceWorkers(api.url, w.operatorToken, WS)).items.find(
        (x) => x.id === w.workerId,
      );
    await client.disableWorker(api.url, w.operatorToken, target);
    expect((await row())?.disabled).toBe(true);
    await client.enableWorker(api.url, w.operatorToken, target);
    expect((await row())?.disabled).toBe(false);
    expect(await client.deleteWorker(api.url, w.operatorToken, target)).toBe('deleted');
    expect(await row()).toBeUndefined();
    expect(await client.deleteWorker(api.url, w.operatorToken, target)).toBe('already-gone');
  });

  it('pool lifecycle: admin endpoints reject an operator token, self-disable uses the worker token', async () => {
    const poolToken = keep(await api.mintToken('pool'));
    const reg = await fetch(`${api.url}/api/v1/worker/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: poolToken, hostname: 'pool-host', pool: true }),
    });
    const { workerId, workerToken } = (await reg.json()) as {
      workerId: string;
      workerToken: string;
    };
    keep(workerToken);
    const pop = keep(await api.mintToken('pop'));
    const admin = keep(await api.mintToken('admin'));
    const pwk = keep(await api.mintToken('pwk'));
    const row = async () =>
      (await client.listPoolWorkers(api.url, pop)).items.find((x) => x.id === workerId);

    const denied = await failure(
      client.disableWorker(api.url, pwk, { mode: 'pool', workerId }),
      ApiError,
    );
    expect(denied).toMatchObject({
      kind: 'http',
      status: 403,
      path: `/api/v1/admin/pool-workers/${workerId}/disable`,
    });

    await client.disableWorker(api.url, admin, { mode: 'pool', workerId });
    expect((await row())?.disabled).toBe(true);
    await client.poolSelfEnable(api.url, workerToken, workerId);
    expect((await row())?.disabled).toBe(false);
    await client.poolSelfDisable(api.url, workerToken, workerId);
    expect((await row())?.disabled).toBe(true);
    expect(await client.deleteWorker(api.url, admin, { mode: 'pool', workerId })).toBe('deleted');
    // Deleting revokes the worker's own token.
    expect(
      await failure(client.poolSelfEnable(api.url, workerToken, workerId), ApiError),
    ).toMatchObject({ status: 401 });
  });
});

describe('retries against emulator faults', () => {
  it('a GET is retried through a 503 fault; a POST is not', async () => {
    const pwk = keep(await api.mintToken('pwk'));
    await control('POST', '/sandbox/faults', { errorRate: 1 });
    try {
      retryWaits = 0;
      const e = await failure(client.mintRegistrationToken(api.url, pwk, WS), ApiError);
      expect(e).toMatchObject({ kind: 'http', status: 503, code: 'service_unavailable' });
      expect(retryWaits).toBe(0);

      onRetryWait = () => control('DELETE', '/sandbox/faults').then(() => undefined);
      const list = await client.listWorkspaceWorkers(api.url, pwk, WS);
      expect(list.items.length).toBeGreaterThan(0);
      expect(retryWaits).toBe(1);
    } finally {
      onRetryWait = async () => {};
      await control('DELETE', '/sandbox/faults');
    }
  });

  it('a GET gives up after its bounded retries during an outage', async () => {
    await control('POST', '/sandbox/faults', { outage: true });
    try {
      retryWaits = 0;
      const e = await failure(client.releasesLatest(api.url), ApiError);
      expect(e).toMatchObject({ kind: 'network', status: 0 });
      expect(retryWaits).toBe(3);
      expect(await client.health(api.url)).toMatchObject({ ok: false, status: null });
    } finally {
      await control('DELETE', '/sandbox/faults');
    }
  });
});

describe('event streams against the emulator', () => {
  it('receives events, reconnects after an outage, and stops for a deleted worker', async () => {
    const w = await enroll('stream-host');
    const events: [string, LastEvent][] = [];
    const problems: string[] = [];
    const phases: string[] = [];
    const streams = new EventStreams({
      onState: (s) => phases.push(s.phase),
      got: client.http,
      onEvent: (id, e) => events.push([id, e]),
      onProblem: (_id, m) => problems.push(m),
      policy: { initialMs: 50, maxMs: 200, idleTimeoutMs: 5_000 },
    });
    const state = () => streams.states().find((s) => s.workerId === w.workerId);
    try {
      streams.sync([{ workerId: w.workerId, apiUrl: `${api.url}/`, token: w.operatorToken }]);
      await until(() => state()?.phase === 'open', 20_000, 'stream open');
      await control('POST', '/sandbox/events', { workerId: w.workerId, type: 'worker.started' });
      await until(() => events.length === 1, 20_000, 'first event');
      expect(events[0]![0]).toBe(w.workerId);
      expect(events[0]![1].type).toBe('worker.started');
      expect(Date.parse(events[0]![1].at)).not.toBeNaN();

      phases.length = 0;
      await control('POST', '/sandbox/faults', { outage: true });
      await until(() => phases.includes('backoff'), 20_000, 'cut by the outage');
      await control('DELETE', '/sandbox/faults');
      await until(
        () => state()?.phase === 'open' && state()!.reconnects >= 1,
        20_000,
        'reconnected',
      );
      await until(
        async () =>
          (
            (await control('POST', '/sandbox/events', {
              workerId: w.workerId,
              type: 'poll.recovered',
            })) as { streams: number }
          ).streams,
        20_000,
      );
      await until(
        () => events.some(([, e]) => e.type === 'poll.recovered'),
        20_000,
        'event after reconnect',
      );

      await client.deleteWorker(api.url, w.operatorToken, {
        mode: 'workspace',
        workspaceId: WS,
        workerId: w.workerId,
      });
      await until(() => state()?.phase === 'stopped', 20_000, 'stopped after delete');
      expect(events.some(([, e]) => e.type === 'worker.deleted')).toBe(true);
      expect(problems.at(-1)).toContain('404');
      errorTexts.push(...problems, ...streams.states().map((s) => s.lastError ?? ''));
    } finally {
      await streams.close();
    }
  });
});

describe('secrets', () => {
  it('no token, enrollment code or device code appears in any error produced above', () => {
    expect(secrets.size).toBeGreaterThan(10);
    expect(errorTexts.length).toBeGreaterThan(10);
    const all = errorTexts.join('\n');
    for (const s of secrets) expect(all, 'a secret leaked').not.toContain(s);
  });
});
