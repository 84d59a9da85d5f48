// Fault 2: pipedai-api goes dark (every connection cut, SSE streams included) and comes back.
// Workers must stay up as the same processes, the connectivity verdict must follow the outage,
// and the event streams must reconnect by themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectivitySample } from '../../app/shared/index.ts';
import { controlClient, sleep, waitFor, type ControlClient } from './support/control.ts';
import { startInProcess, type InProcessDaemon } from './support/daemon.ts';
import { createFixture, type Fixture } from './support/fixture.ts';
import { runProcessesByConfig } from './support/procfs.ts';

const WORKERS = 3;

describe('fault: API outage and recovery', () => {
  let fx: Fixture;
  let daemon: InProcessDaemon | null = null;
  let api: ControlClient;

  beforeAll(async () => {
    fx = await createFixture({ workers: WORKERS });
    daemon = await startInProcess(
      fx.env({
        PIPEDAI_CONNECTIVITY_MS: '300',
        PIPEDAI_TIMINGS: JSON.stringify({ refreshMs: 500 }),
        PIPEDAI_SIM_HEARTBEAT_MS: '300',
        PIPEDAI_SIM_POLL_MS: '300',
      }),
    );
    api = controlClient(daemon.url, fx.localToken);
  });
  afterAll(async () => {
    await fx?.sandbox('DELETE', '/sandbox/faults');
    await daemon?.stop();
    await fx?.cleanup();
  });

  const verdict = async (): Promise<ConnectivitySample['verdict'] | null> => {
    const a = await api.call('GET', '/api/connectivity?tail=1');
    return (a.body as { current: ConnectivitySample | null }).current?.verdict ?? null;
  };

  /**
   * Push `type` on each worker's stream until the fused view shows it as the worker's lastEvent
   * (pushed again while it does not: the worker's own `poll.recovered` may come after it).
   */
  async function eventsReachEveryWorker(type: string): Promise<void> {
    for (const w of fx.workers) {
      await waitFor(
        `${type} in the lastEvent of ${w.label}`,
        async () => {
          const r = await fx.sandbox('POST', '/sandbox/events', { workerId: w.id, type });
          if (r.status !== 200 || (r.body as { streams: number }).streams === 0) return false;
          return waitFor(
            'the event to arrive',
            async () => (await api.workers()).find((x) => x.id === w.id)?.lastEvent?.type === type,
            2_000,
          ).catch(() => false);
        },
        30_000,
        200,
      );
    }
  }

  it('keeps the workers, reports api-unreachable, then online, and the streams resume', async () => {
    const pids = await waitFor('every worker running', async () => {
      const items = await api.workers();
      if (!items.every((w) => w.local?.state === 'running' && w.local.pid !== null)) return null;
      return new Map(items.map((w) => [w.id, w.local?.pid as number]));
    });
    await waitFor('online', async () => (await verdict()) === 'online');
    await eventsReachEveryWorker('fault.before');

    // Same process per worker, at every sample, from here to the end.
    const violations: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const byConfig = await runProcessesByConfig();
        for (const w of fx.workers) {
          const found = byConfig.get(w.configPath) ?? [];
          if (found.length !== 1 || found[0] !== pids.get(w.id))
            violations.push(`${w.label}: ${JSON.stringify(found)}`);
        }
        await sleep(100);
      }
    })();

    expect((await fx.sandbox('POST', '/sandbox/faults', { outage: true })).status).toBe(200);
    await waitFor('api-unreachable', async () => (await verdict()) === 'api-unreachable');
    // Long enough for the workers' own API calls and the streams' reconnects to fail repeatedly.
    await sleep(2_000);
    expect(await verdict()).toBe('api-unreachable');
    for (const w of await api.workers()) {
      expect(w.local).toMatchObject({ state: 'running', pid: pids.get(w.id) });
      // PipedAI's last word on each is out of date, and says so.
      expect(w.remote).toMatchObject({ stale: true, staleReason: 'api-unreachable' });
    }

    expect((await fx.sandbox('DELETE', '/sandbox/faults')).status).toBe(200);
    await waitFor('online again', async () => (await verdict()) === 'online');
    await waitFor('every remote status current again', async () =>
      (await api.workers()).every((w) => w.remote?.stale === false),
    );
    await eventsReachEveryWorker('fault.after');

    watching = false;
    await watcher;
    expect(violations).toEqual([]);
    for (const w of await api.workers()) {
      expect(w.local).toMatchObject({ state: 'running', pid: pids.get(w.id), restarts: 0 });
    }
    const history = (
      (await api.call('GET', '/api/connectivity')).body as { history: ConnectivitySample[] }
    ).history.map((s) => s.verdict);
    // The verdict followed the outage: online, then api-unreachable, then online.
    const firstDown = history.indexOf('api-unreachable');
    expect(firstDown).toBeGreaterThan(history.indexOf('online'));
    expect(history.slice(firstDown)).toContain('online');
  });
});
