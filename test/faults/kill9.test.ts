// Fault 1: the daemon is killed with SIGKILL while 10 workers run. Its workers keep running (own
// process group); a restarted daemon must adopt them, never start a second copy of any.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlClient, sleep, waitFor } from './support/control.ts';
import { spawnDaemon, type DaemonChild } from './support/daemon.ts';
import { createFixture, type Fixture } from './support/fixture.ts';
import { isLive, runProcessesByConfig } from './support/procfs.ts';

const WORKERS = 10;
const WATCH_MS = 5_000;

describe('fault: kill -9 of the daemon with 10 workers running', () => {
  let fx: Fixture;
  const daemons: DaemonChild[] = [];

  beforeAll(async () => {
    fx = await createFixture({ workers: WORKERS });
  });
  afterAll(async () => {
    for (const d of daemons) d.child.kill('SIGKILL');
    await fx?.cleanup();
  });

  /** Each worker's single live `run` process, or null while any worker has none or several. */
  async function onePerWorker(): Promise<Map<string, number> | null> {
    const byConfig = await runProcessesByConfig();
    const pids = new Map<string, number>();
    for (const w of fx.workers) {
      const found = byConfig.get(w.configPath) ?? [];
      if (found.length !== 1) return null;
      pids.set(w.id, found[0] as number);
    }
    return pids;
  }

  it('the restarted daemon adopts every worker, and no worker ever runs twice', async () => {
    const env = fx.env();
    const first = await spawnDaemon(env);
    daemons.push(first);
    const api1 = controlClient(first.url, fx.localToken);
    // Killed the moment every worker runs: the processes are up and the daemon says so.
    const before = await waitFor(
      'every worker running, one process each',
      async () => {
        const items = await api1.workers();
        if (!items.every((w) => w.local?.state === 'running')) return null;
        return onePerWorker();
      },
      60_000,
    );
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    for (const pid of before.values()) expect(await isLive(pid)).toBe(true);

    // From before the second daemon starts until WATCH_MS after it adopted: exactly the same
    // process per worker at every sample.
    const violations: string[] = [];
    let samples = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const byConfig = await runProcessesByConfig();
        samples++;
        for (const w of fx.workers) {
          const found = byConfig.get(w.configPath) ?? [];
          if (found.length !== 1 || found[0] !== before.get(w.id))
            violations.push(`${w.label}: ${JSON.stringify(found)} (was ${before.get(w.id)})`);
        }
        await sleep(100);
      }
    })();

    const second = await spawnDaemon(env);
    daemons.push(second);
    const api2 = controlClient(second.url, fx.localToken);
    const adopted = await waitFor('the workers adopted', async () => {
      const items = await api2.workers();
      return items.every((w) => w.local?.state === 'running') ? items : null;
    });
    await sleep(WATCH_MS);
    watching = false;
    await watcher;

    expect(violations).toEqual([]);
    expect(samples).toBeGreaterThan(10);
    for (const w of adopted) {
      expect(w.local).toMatchObject({ state: 'running', adopted: true, pid: before.get(w.id) });
    }
    expect(second.stderr()).toContain('adopted worker');

    // The adopted workers are drained like our own on shutdown.
    expect(await second.stop()).toEqual({ code: 0, signal: null });
    await waitFor('every worker gone', async () => {
      const byConfig = await runProcessesByConfig();
      return fx.workers.every((w) => (byConfig.get(w.configPath) ?? []).length === 0);
    });
  });
});
