// Enrollment against the API emulator: device pairing run by the daemon (startPairing /
// pairingStatus) to each of its ends, and the code flow `connect --token` runs (redeem, then
// persistEnrollment), including re-connecting the same host.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PairingStatus } from '../../app/shared/index.ts';
import { startApiEmulator } from '../../sandbox/api/index.ts';
import { startRecordingProxy, type Exchange } from './support/proxy.ts';
import { leakReport } from './support/secrets.ts';
import { startSuite, waitFor, type Suite, type TestDaemon } from './support/suite.ts';

const REDEEM = '/api/v1/enrollments/redeem';
const DEVICE = '/api/v1/enrollments/device';

/** The emulator's clock, which a test may stop for a while (time then resumes where it stopped). */
const clock = {
  skewMs: 0,
  frozenAt: null as number | null,
  now: (): number => clock.frozenAt ?? Date.now() - clock.skewMs,
  freeze(): void {
    clock.frozenAt = clock.now();
  },
  resume(): void {
    if (clock.frozenAt === null) return;
    clock.skewMs = Date.now() - clock.frozenAt;
    clock.frozenAt = null;
  },
};

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
    name: 'pairing',
    emulator: { deviceIntervalSec: 1, keepAliveMs: 1_000, now: clock.now },
  });
});
afterEach(async () => {
  clock.resume();
  await suite.cleanup();
});
afterAll(async () => suite?.close());

async function settled(t: TestDaemon, pairingId: string): Promise<PairingStatus> {
  return waitFor('the pairing to settle', async () => {
    const s = await t.orchestrator.pairingStatus({ pairingId });
    return s.state !== 'waiting' && s;
  });
}

const redeems = (from: number): Exchange[] =>
  suite.proxy.exchanges.slice(from).filter((x) => x.path === REDEEM);

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

const CredentialsFile = z.looseObject({ operators: z.record(z.string(), z.string()) });

async function credentials(t: TestDaemon): Promise<z.infer<typeof CredentialsFile>> {
  return CredentialsFile.parse(JSON.parse(await readFile(t.daemon.paths.credentials, 'utf8')));
}

/** Nothing of a failed pairing may reach the host's state. */
async function expectNothingPersisted(t: TestDaemon): Promise<void> {
  expect(await t.manifest()).toEqual([]);
  expect((await credentials(t)).operators).toEqual({});
  expect(await readdir(t.daemon.paths.workersDir).catch(() => [])).toEqual([]);
}

describe('device pairing through the daemon', () => {
  it('approved: persists the worker and the credential, then supervises the worker', async () => {
    const t = await suite.daemon();
    const start = await t.orchestrator.startPairing({ apiUrl: suite.proxy.url, label: 'paired' });
    expect(start.verificationUriComplete).toContain(start.userCode);
    expect(await t.orchestrator.pairingStatus({ pairingId: start.pairingId })).toEqual({
      state: 'waiting',
    });
    await suite.control('POST', '/sandbox/device/approve', {
      userCode: start.userCode,
      workspaceId: 'ws_pair_ok',
    });
    const status = await settled(t, start.pairingId);
    expect(status).toEqual({ state: 'approved', workerId: expect.any(String) });
    const id = status.workerId!;
    expect(t.frames).toContainEqual({ kind: 'pairing', pairingId: start.pairingId, status });

    expect(await t.manifest()).toEqual([
      {
        id,
        label: 'paired',
        apiUrl: suite.proxy.url,
        workspaceId: 'ws_pair_ok',
        configPath: t.daemon.paths.workerConfig('paired'),
        mode: 'workspace',
        desiredState: 'enabled',
      },
    ]);
    expect((await credentials(t)).operators[suite.proxy.url]).toMatch(/^hos_/);
    await t.running(id);
    await waitFor('its heartbeats', async () => (await suite.worker(id)).heartbeats > 0);
  });

  it('denied: fails with the denial and persists nothing', async () => {
    const t = await suite.daemon();
    const start = await t.orchestrator.startPairing({ apiUrl: suite.proxy.url });
    await suite.control('POST', '/sandbox/device/deny', { userCode: start.userCode });
    expect(await settled(t, start.pairingId)).toEqual({
      state: 'failed',
      error: 'the pairing request was denied or revoked in the PipedAI dashboard',
    });
    expect(redeems(0).some((x) => x.status === 403 && x.code === 'access_denied')).toBe(true);
    await expectNothingPersisted(t);
  });

  it('expired: a short-lived code nobody approves ends as expired', async () => {
    const t = await suite.daemon();
    const short = await startApiEmulator({
      port: 0,
      stateDir: `${t.home}-short-api`,
      deviceIntervalSec: 1,
      deviceTtlSec: 3,
    });
    const proxy = await startRecordingProxy(short.url, suite.tokens);
    try {
      const start = await t.orchestrator.startPairing({ apiUrl: proxy.url });
      const status = await settled(t, start.pairingId);
      expect(status).toEqual({
        state: 'failed',
        error: 'the pairing code expired before it was approved; start pairing again',
      });
      // It gave up at the deadline, not before, after polling while the code was pending.
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(start.expiresAt) - 50);
      const polls = proxy.exchanges.filter((x) => x.path === REDEEM);
      expect(polls.length).toBeGreaterThanOrEqual(2);
      expect(polls[0]?.code).toBe('authorization_pending');
      await expectNothingPersisted(t);
    } finally {
      await proxy.close();
      await short.close();
    }
  });

  it('slow_down: keeps waiting with the interval raised by 5 s, then completes', async () => {
    const t = await suite.daemon();
    const from = suite.proxy.exchanges.length;
    // Stop the emulator's clock after the first poll: the next one, a second later, then
    // looks too early to the emulator, which answers slow_down.
    let slowDownSeen = false;
    const off = suite.proxy.onAnswer((x) => {
      if (x.path !== REDEEM) return;
      if (x.code === 'authorization_pending' && !slowDownSeen) clock.freeze();
      if (x.code === 'slow_down') {
        slowDownSeen = true;
        clock.resume();
      }
    });
    try {
      const start = await t.orchestrator.startPairing({ apiUrl: suite.proxy.url, label: 'slow' });
      const slow = await waitFor('a slow_down answer', () =>
        redeems(from).find((x) => x.code === 'slow_down'),
      );
      expect(slow.json).toMatchObject({ error: 'slow_down', interval: 6 });
      expect(await t.orchestrator.pairingStatus({ pairingId: start.pairingId })).toEqual({
        state: 'waiting',
      });
      await suite.control('POST', '/sandbox/device/approve', {
        userCode: start.userCode,
        workspaceId: 'ws_pair_slow',
      });
      const status = await settled(t, start.pairingId);
      expect(status).toMatchObject({ state: 'approved' });

      const polls = redeems(from);
      const i = polls.indexOf(slow);
      expect(polls.map((x) => x.code ?? x.status)).toEqual([
        'authorization_pending',
        'slow_down',
        200,
      ]);
      // The next poll came after the new interval (1 s + 5 s), not the old one.
      expect(polls[i + 1]!.at - slow.answeredAt!).toBeGreaterThanOrEqual(5_900);
      const device = (await suite.state()).devices.find((d) => d.userCode === start.userCode);
      expect(device).toMatchObject({ status: 'consumed', intervalSec: 6 });
      expect((await t.manifest()).map((e) => e.id)).toEqual([status.workerId]);
    } finally {
      off();
    }
  });

  it('consumed: a device code redeemed elsewhere first ends as already used', async () => {
    const t = await suite.daemon();
    const from = suite.proxy.exchanges.length;
    // Hold the daemon's polls, so the code is redeemed by someone else before the daemon asks.
    const held = suite.proxy.hold((_m, path) => path === REDEEM);
    const start = await t.orchestrator.startPairing({ apiUrl: suite.proxy.url });
    const deviceStart = suite.proxy.exchanges.slice(from).find((x) => x.path === DEVICE);
    const { deviceCode } = z.object({ deviceCode: z.string() }).parse(deviceStart?.json);
    await waitFor('a held poll', () => redeems(from).length > 0);
    await suite.control('POST', '/sandbox/device/approve', {
      userCode: start.userCode,
      workspaceId: 'ws_pair_elsewhere',
    });
    const elsewhere = await fetch(`${suite.api.url}${REDEEM}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceCode, hostname: 'another-host', os: 'linux', version: '1.0.0' }),
    });
    suite.tokens.harvestText(await elsewhere.text());
    expect(elsewhere.status).toBe(200);
    held.release();

    expect(await settled(t, start.pairingId)).toEqual({
      state: 'failed',
      error: 'the pairing code was already used',
    });
    expect(redeems(from).map((x) => x.status)).toContain(409);
    await expectNothingPersisted(t);
  });
});

describe('code enrollment (connect --token)', () => {
  it('persists config, credential and manifest entry as §8.10 step 5; re-connecting updates in place', async () => {
    const t = await suite.daemon();
    const first = await suite.connect(t, { hostname: 'it-code-host', workspaceId: 'ws_code' });
    expect(first.reused).toBe(false);
    const { workerId, workerToken, operatorToken } = first.result;
    expect(workerToken).toMatch(/^wkt_/);
    expect(operatorToken).toMatch(/^hos_/);

    const paths = t.daemon.paths;
    const configPath = paths.workerConfig('it-code-host');
    const expectConfig = async (token: string): Promise<void> => {
      expect(await readFile(configPath, 'utf8')).toBe(
        JSON.stringify(
          {
            workerId,
            workerToken: token,
            apiUrl: suite.proxy.url,
            workspaceId: 'ws_code',
            isPool: false,
          },
          null,
          2,
        ),
      );
      expect(await modeOf(configPath)).toBe(0o600);
      expect(await modeOf(dirname(configPath))).toBe(0o700);
    };
    const entry = {
      id: workerId,
      label: 'it-code-host',
      apiUrl: suite.proxy.url,
      workspaceId: 'ws_code',
      configPath,
      mode: 'workspace',
      desiredState: 'enabled',
    };
    await expectConfig(workerToken);
    expect(first.entry).toEqual(entry);
    expect(await t.manifest()).toEqual([entry]);
    expect((await credentials(t)).operators).toEqual({ [suite.proxy.url]: operatorToken });
    expect(await modeOf(paths.credentials)).toBe(0o600);
    expect(await modeOf(paths.orchestratorDir)).toBe(0o700);
    const pid = await t.running(workerId);
    await waitFor('its heartbeats', async () => (await suite.worker(workerId)).heartbeats > 0);

    // Same host again: the API answers the same worker with a rotated wkt_ and a new hos_.
    const again = await suite.connect(t, { hostname: 'it-code-host', workspaceId: 'ws_code' });
    expect(again.reused).toBe(true);
    expect(again.result.workerId).toBe(workerId);
    expect(again.result.workerToken).not.toBe(workerToken);
    expect(again.entry).toEqual(entry);
    expect(await t.manifest()).toEqual([entry]);
    expect(await readdir(paths.workersDir)).toEqual(['it-code-host.json']);
    await expectConfig(again.result.workerToken);
    expect((await credentials(t)).operators).toEqual({
      [suite.proxy.url]: again.result.operatorToken,
    });
    // The process holding the revoked token was replaced by one with the new token.
    await t.running(workerId, pid);
    const seen = (await suite.worker(workerId)).heartbeats;
    await waitFor('heartbeats with the new token', async () => {
      const w = await suite.worker(workerId);
      return w.heartbeats > seen + 2 && w.status === 'online';
    });
  });
});

describe('secrets', () => {
  it('no token the emulator issued appears in any log line, frame, error or file', () => {
    const report = leakReport(suite.evidence, suite.tokens);
    expect(Object.keys(report.kinds).sort()).toEqual(['device', 'enr', 'hos', 'wkt']);
    expect(report.canaries).toBe(2 * suite.tokens.all().length);
    for (const c of ['frame:pairing', 'frame:status', 'file:orchestrator/manifest.json'])
      expect(report.categories).toContain(c);
    expect(report.leaks).toEqual([]);
  });
});
