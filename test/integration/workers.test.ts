// Two workers built on one connected host, and their lifecycle as pipedai-api sees it: the daemon
// (openDaemon) against the API emulator over HTTP, supervising real simulator processes.
import { existsSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../app/main/daemon/enroll/login.ts';
import { openStore } from '../../app/main/daemon/store/index.ts';
import { isAlive } from '../../sandbox/worker/test-support.ts';
import { leakReport } from './support/secrets.ts';
import { startSuite, waitFor, type Suite, type TestDaemon } from './support/suite.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ name: 'workers', emulator: { keepAliveMs: 1_000 } });
});
afterEach(async () => suite.cleanup());
afterAll(async () => suite?.close());

/** Wait until the supervisor runs `id` and the API has heard from that process. */
async function runningWithHeartbeats(t: TestDaemon, id: string): Promise<number> {
  const pid = await t.running(id);
  const before = (await suite.worker(id)).heartbeats;
  await waitFor(`heartbeats of ${id}`, async () => (await suite.worker(id)).heartbeats > before);
  return pid;
}

describe('workers built on a connected host', () => {
  it('two builds get two server-side identities; disable, enable and delete reach the API', async () => {
    const t = await suite.daemon();
    const host = await suite.connect(t, { hostname: 'it-build-host', workspaceId: 'ws_build' });
    const apiUrl = suite.proxy.url;

    const alpha = await t.orchestrator.buildWorker({ apiUrl, label: 'alpha' });
    const beta = await t.orchestrator.buildWorker({ apiUrl, label: 'beta' });
    expect(new Set([host.entry.id, alpha.id, beta.id]).size).toBe(3);
    for (const [id, label] of [
      [alpha.id, 'alpha'],
      [beta.id, 'beta'],
    ] as const) {
      expect(await suite.worker(id)).toMatchObject({
        id,
        workspaceId: 'ws_build',
        hostname: `${osHostname()}-${label}`,
        deleted: false,
        disabled: false,
      });
    }
    const manifest = await t.manifest();
    expect(manifest.map((e) => [e.id, e.label, e.mode, e.desiredState])).toEqual([
      [host.entry.id, 'it-build-host', 'workspace', 'enabled'],
      [alpha.id, 'alpha', 'workspace', 'enabled'],
      [beta.id, 'beta', 'workspace', 'enabled'],
    ]);
    const alphaPid = await runningWithHeartbeats(t, alpha.id);
    const betaPid = await runningWithHeartbeats(t, beta.id);
    expect(alphaPid).not.toBe(betaPid);
    const fused = await waitFor('both online in the fused view', async () => {
      const items = (await t.orchestrator.listWorkers({})).items;
      const mine = items.filter((w) => w.id === alpha.id || w.id === beta.id);
      return mine.every((w) => w.remote?.status === 'online') && mine;
    });
    expect(fused.map((w) => w.workerVersion)).toEqual(['1.4.2', '1.4.2']);

    // Disable: the API first, then the local process stops.
    await expect(t.orchestrator.disableWorker({ id: alpha.id })).resolves.toEqual({
      id: alpha.id,
      action: 'disable',
      ok: true,
    });
    expect((await suite.worker(alpha.id)).disabled).toBe(true);
    expect(t.local(alpha.id)).toMatchObject({ state: 'stopped', pid: null });
    expect(isAlive(alphaPid)).toBe(false);
    expect((await t.fused(alpha.id))?.remote?.disabled).toBe(true);
    expect((await t.manifest()).find((e) => e.id === alpha.id)?.desiredState).toBe('disabled');
    expect(t.local(beta.id)?.pid).toBe(betaPid); // the other worker is untouched

    await t.orchestrator.enableWorker({ id: alpha.id });
    expect((await suite.worker(alpha.id)).disabled).toBe(false);
    const alphaPid2 = await runningWithHeartbeats(t, alpha.id);
    expect(alphaPid2).not.toBe(alphaPid);
    expect((await t.fused(alpha.id))?.remote?.disabled).toBe(false);

    // Delete: deregistered server-side, stopped, forgotten, its config removed.
    const betaConfig = manifest.find((e) => e.id === beta.id)!.configPath;
    expect(existsSync(betaConfig)).toBe(true);
    await t.orchestrator.deleteWorker({ id: beta.id });
    expect(await suite.worker(beta.id)).toMatchObject({ deleted: true });
    expect((await t.manifest()).map((e) => e.id)).toEqual([host.entry.id, alpha.id]);
    expect(existsSync(betaConfig)).toBe(false);
    expect(isAlive(betaPid)).toBe(false);
    expect(t.local(beta.id)).toBeNull();
    expect((await t.orchestrator.listWorkers({})).items.map((w) => w.id)).toEqual([
      host.entry.id,
      alpha.id,
    ]);
    // Deleting again (the entry is gone) is a no-op success.
    await expect(t.orchestrator.deleteWorker({ id: beta.id })).resolves.toMatchObject({ ok: true });
  });

  it('deleting a worker already deleted server-side succeeds and forgets it', async () => {
    const t = await suite.daemon();
    await suite.connect(t, { hostname: 'it-gone-host', workspaceId: 'ws_gone' });
    const { id } = await t.orchestrator.buildWorker({ apiUrl: suite.proxy.url, label: 'gone' });
    const pid = await runningWithHeartbeats(t, id);
    const configPath = (await t.manifest()).find((e) => e.id === id)!.configPath;

    // Another operator deregisters it first.
    const operator = await suite.mint('pwk', 'ws_gone');
    expect(
      await suite.apiCall('DELETE', `/api/v1/workspaces/ws_gone/workers/${id}`, operator),
    ).toBe(200);
    expect(await suite.worker(id)).toMatchObject({ deleted: true });

    await expect(t.orchestrator.deleteWorker({ id })).resolves.toEqual({
      id,
      action: 'delete',
      ok: true,
    });
    expect((await t.manifest()).some((e) => e.id === id)).toBe(false);
    expect(existsSync(configPath)).toBe(false);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('pasted registration tokens', () => {
  it('a wrk_ token builds once; reusing it fails with a message that shows only its first characters', async () => {
    const t = await suite.daemon();
    const token = await suite.mint('wrk', 'ws_pasted');
    const { id } = await t.orchestrator.buildWorker({
      apiUrl: suite.proxy.url,
      token,
      label: 'pasted',
    });
    expect(await suite.worker(id)).toMatchObject({ workspaceId: 'ws_pasted', deleted: false });
    expect((await t.manifest()).map((e) => [e.id, e.workspaceId])).toEqual([[id, 'ws_pasted']]);
    await runningWithHeartbeats(t, id);

    const e = await t.failure(
      'second build',
      t.orchestrator.buildWorker({ apiUrl: suite.proxy.url, token, label: 'pasted-again' }),
    );
    expect(e).toMatchObject({ name: 'CommandError', code: 'upstream' });
    expect(e.message).toMatch(/^worker registration failed \(exit 1\): .*409/);
    expect(e.message).not.toContain(token);
    expect((await t.manifest()).map((x) => x.id)).toEqual([id]);
    expect(existsSync(t.daemon.paths.workerConfig('pasted-again'))).toBe(false);
  });

  it('a pool worker: built with pool_, listed through pop_, disabled and enabled with its own wkt_', async () => {
    const t = await suite.daemon();
    const apiUrl = suite.proxy.url;
    const poolToken = await suite.mint('pool');
    const { id } = await t.orchestrator.buildWorker({
      apiUrl,
      pool: true,
      token: poolToken,
      label: 'pool-a',
    });
    expect((await t.manifest()).map((e) => [e.mode, e.workspaceId])).toEqual([['pool', null]]);
    await runningWithHeartbeats(t, id);
    // No remote status for a pool worker until the host holds a pool-read token.
    expect((await t.fused(id))?.remote).toBeNull();
    await login(openStore(t.daemon.paths).credentials, apiUrl, await suite.mint('pop'), 'pool');
    await waitFor('the pool worker online', async () => {
      const w = await t.fused(id);
      return w?.remote?.status === 'online';
    });

    await t.orchestrator.disableWorker({ id });
    expect(await suite.worker(id)).toMatchObject({ disabled: true, pool: true });
    expect(t.local(id)).toMatchObject({ state: 'stopped', pid: null });
    await t.orchestrator.enableWorker({ id });
    expect((await suite.worker(id)).disabled).toBe(false);
    await runningWithHeartbeats(t, id);
  });
});

describe('verbs against a slow API', () => {
  it("a verb's answer reflects the server even when a status poll answered before it is still in flight", async () => {
    const t = await suite.daemon();
    const { entry } = await suite.connect(t, { hostname: 'it-slow-host', workspaceId: 'ws_slow' });
    const id = entry.id;
    await runningWithHeartbeats(t, id);
    await t.orchestrator.disableWorker({ id });
    expect((await t.fused(id))?.remote?.disabled).toBe(true);

    // The list is slow to arrive: the emulator has answered it, the answer is still on its way.
    const list = '/api/v1/workspaces/ws_slow/workers';
    const slow = suite.proxy.delayAnswers((m, path) => m === 'GET' && path === list, 1_500);
    try {
      const from = suite.proxy.exchanges.length;
      const inFlight = await waitFor('a list answer on its way', () =>
        suite.proxy.exchanges
          .slice(from)
          .find((x) => x.path === list && x.upstreamAt !== null && x.answeredAt === null),
      );
      await t.orchestrator.enableWorker({ id });
      const enable = suite.proxy.exchanges.find(
        (x) => x.method === 'POST' && x.path === `${list}/${id}/enable`,
      );
      expect(inFlight.upstreamAt).toBeLessThan(enable!.at); // the scenario happened
      expect((await suite.worker(id)).disabled).toBe(false);
      expect((await t.fused(id))?.remote?.disabled).toBe(false);
    } finally {
      slow.stop();
    }
  });
});

describe('secrets', () => {
  it('no token the emulator issued appears in any log line, frame, error or file', () => {
    const report = leakReport(suite.evidence, suite.tokens);
    // The search covered what it should, and would have caught a leak of any of these tokens.
    expect(Object.keys(report.kinds).sort()).toEqual([
      'enr',
      'hos',
      'pool',
      'pop',
      'pwk',
      'wkt',
      'wrk',
    ]);
    expect(report.canaries).toBe(2 * suite.tokens.all().length);
    for (const c of [
      'frame:status',
      'frame:logs',
      'error',
      'file:logs/',
      'file:orchestrator/manifest.json',
    ])
      expect(report.categories).toContain(c);
    expect(report.leaks).toEqual([]);
  });
});
