// An API outage (the emulator kills every API connection, SSE streams included) while the daemon
// supervises workers: the workers keep running, connectivity turns api-unreachable and back,
// the event streams resume, and nothing crashes.
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectivitySample } from '../../app/shared/index.ts';
import { leakReport } from './support/secrets.ts';
import { startSuite, waitFor, type Suite, type TestDaemon } from './support/suite.ts';

/** The outage length. */
const OUTAGE_MS = 30_000;

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ name: 'outage', emulator: { keepAliveMs: 1_000 } });
});
afterEach(async () => suite.cleanup());
afterAll(async () => suite?.close());

async function verdictAfter(t: TestDaemon, since: number): Promise<ConnectivitySample> {
  return waitFor('a connectivity sample', async () => {
    const { current } = await t.orchestrator.getConnectivity({});
    return current !== null && current.ts > since && current;
  });
}

/** Push a lifecycle event until each worker's stream delivers it into the fused view. */
async function eventReaches(
  t: TestDaemon,
  ids: string[],
  type: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const workerId of ids) {
    await waitFor(
      `${type} in the lastEvent of ${workerId}`,
      async () => {
        if ((await t.fused(workerId))?.lastEvent?.type === type) return true;
        await suite.control('POST', '/sandbox/events', { workerId, type });
        return false;
      },
      Math.max(0, deadline - Date.now()),
      250,
    );
  }
}

describe('API outage', () => {
  it(
    'workers keep running, the verdict turns api-unreachable and back, streams resume',
    {
      timeout: 180_000,
    },
    async () => {
      const t = await suite.daemon();
      const host = await suite.connect(t, { hostname: 'it-outage-host', workspaceId: 'ws_outage' });
      const built = await t.orchestrator.buildWorker({ apiUrl: suite.proxy.url, label: 'second' });
      const ids = [host.entry.id, built.id];
      const pids = new Map<string, number>();
      for (const id of ids) pids.set(id, await t.running(id));
      const before = await waitFor('online, the API probed', async () => {
        const s = await verdictAfter(t, 0);
        return s.verdict === 'online' && s;
      });
      expect(before.api).toEqual([expect.objectContaining({ url: suite.proxy.url, ok: true })]);
      await eventReaches(t, ids, 'it.before-outage', 30_000);
      const unchanged = (): void => {
        for (const id of ids)
          expect(t.local(id)).toMatchObject({
            state: 'running',
            pid: pids.get(id),
            restarts: 0,
            lastExit: null,
          });
      };

      await suite.control('POST', '/sandbox/faults', { outage: true });
      const down = Date.now();
      const unreachable = await waitFor('api-unreachable', async () => {
        const s = await verdictAfter(t, down);
        return s.verdict === 'api-unreachable' && s;
      });
      expect(unreachable.internet.ok).toBe(true);
      expect(unreachable.api).toEqual([
        expect.objectContaining({ url: suite.proxy.url, ok: false }),
      ]);
      // A verb that needs the API fails cleanly and changes nothing here.
      const e = await t.failure(
        'disable during the outage',
        t.orchestrator.disableWorker({ id: built.id }),
      );
      expect(e).toMatchObject({ name: 'CommandError', code: 'unavailable' });
      expect(e.message).toMatch(/^disable second on http:\/\/127\.0\.0\.1:\d+: network error/);
      expect((await t.manifest()).map((x) => x.desiredState)).toEqual(['enabled', 'enabled']);
      // The outage lasts; the workers stay the same processes all along.
      while (Date.now() - down < OUTAGE_MS) {
        unchanged();
        expect((await verdictAfter(t, Date.now() - 1)).verdict).toBe('api-unreachable');
        await new Promise((r) => setTimeout(r, 1_000));
      }
      // The last rows the API sent are kept, not dropped.
      for (const id of ids) expect((await t.fused(id))?.remote).not.toBeNull();

      await suite.control('DELETE', '/sandbox/faults');
      const up = Date.now();
      await waitFor('online again', async () => (await verdictAfter(t, up)).verdict === 'online');
      // The streams must not sit out the backoff they built up during the outage (16-32 s at
      // this point, up to a minute after longer ones): the monitor, probing every 300 ms here,
      // sees the API back, and the streams reconnect then. 15 s leaves room for a loaded machine.
      await eventReaches(t, ids, 'it.after-outage', 15_000);
      for (const id of ids) {
        const seen = (await suite.worker(id)).heartbeats;
        await waitFor(`heartbeats of ${id} again`, async () => {
          const w = await suite.worker(id);
          return w.heartbeats > seen && w.status === 'online';
        });
        await waitFor(`${id} online in the fused view`, async () => {
          const w = await t.fused(id);
          return w?.remote?.status === 'online' && Date.parse(w.remote.lastSeenAt ?? '') >= up;
        });
      }
      unchanged();
      expect(
        t.logs.filter((l) => /internal error|supervisor:|uncaught|unhandled/i.test(l)),
      ).toEqual([]);
      // connectivity.log tells the story: online, api-unreachable, online.
      const verdicts = (await readFile(t.daemon.paths.connectivityLog, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => ConnectivitySample.parse(JSON.parse(l)).verdict)
        .filter((v, i, all) => i === 0 || v !== all[i - 1]);
      expect(verdicts).toEqual(['online', 'api-unreachable', 'online']);
    },
  );
});

describe('secrets', () => {
  it('no token the emulator issued appears in any log line, frame, error or file', () => {
    const report = leakReport(suite.evidence, suite.tokens);
    expect(Object.keys(report.kinds).sort()).toEqual(['enr', 'hos', 'wkt', 'wrk']);
    expect(report.canaries).toBe(2 * suite.tokens.all().length);
    for (const c of ['frame:connectivity', 'frame:logs', 'file:connectivity.log', 'file:logs/'])
      expect(report.categories).toContain(c);
    expect(report.leaks).toEqual([]);
  });
});
