// Faults (a) and (d) of issue 12: a stop is a drain that lets the run finish, however long, and
// Force stop ends it at once (the control API's stop with force, as the dashboard button and
// `workers stop --force` send it). Two workers of one daemon, each given a run: A is stopped with the
// CLI in the middle of a 45 s run (past the fixed 30 s grace drains once had); B, in the middle of its own,
// starts draining and is then force-stopped. Both happen at the same time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlClient, sleep, waitFor } from './support/control.ts';
import { runCli, spawnDaemon, type DaemonChild } from './support/daemon.ts';
import { createFixture, type Fixture, type FaultWorker } from './support/fixture.ts';
import { runProcessesByConfig } from './support/procfs.ts';
import { claimedRun } from './support/runs.ts';

const RUN_MS = 45_000;

describe('fault: stopping workers in the middle of their runs', () => {
  let fx: Fixture;
  let daemon: DaemonChild | null = null;

  beforeAll(async () => {
    fx = await createFixture({ workers: 2 });
  });
  afterAll(async () => {
    daemon?.child.kill('SIGKILL');
    await fx?.cleanup();
  });

  const processes = async (w: FaultWorker): Promise<number[]> =>
    (await runProcessesByConfig()).get(w.configPath) ?? [];

  it('(a) stop returns once the 45 s run has succeeded; (d) Force stop ends a run within 2 s', async () => {
    const [a, b] = fx.workers as [FaultWorker, FaultWorker];
    const env = fx.env();
    daemon = await spawnDaemon(env);
    const api = controlClient(daemon.url, fx.localToken);
    await waitFor('both workers running', async () => {
      const items = await api.workers();
      return items.length === 2 && items.every((w) => w.local?.state === 'running');
    });
    const [runA, runB] = await Promise.all([
      claimedRun(fx, a.id, RUN_MS),
      claimedRun(fx, b.id, RUN_MS),
    ]);
    const claimedAt = Math.min(runA.claimedAt, runB.claimedAt);

    // (a): the CLI's stop, 5 s into A's run.
    await sleep(5_000);
    const stopA = (async () => {
      const began = Date.now();
      const r = await runCli(['workers', 'stop', a.label], env, 120_000);
      return { ...r, tookMs: Date.now() - began, runAtReturn: await runA.status() };
    })();

    // (d): B starts draining, then the operator forces it.
    const drainB = runCli(['workers', 'stop', b.label], env, 120_000);
    await waitFor('B draining', async () => {
      const w = (await api.workers()).find((x) => x.id === b.id);
      return w?.local?.draining === true;
    });
    const [pidB] = await processes(b);
    expect(pidB).toBeDefined();
    // What the dashboard's Force stop button (and `workers stop --force`) sends.
    const forcedAt = Date.now();
    const force = await api.call('POST', `/api/workers/${b.id}/stop`, { force: true });
    expect(force.status).toBe(200);
    await waitFor('B gone', async () => (await processes(b)).length === 0, 5_000, 20);
    const forceMs = Date.now() - forcedAt;
    expect(forceMs).toBeLessThan(2_000);
    expect((await drainB).code).toBe(0); // the waiting stop returns with the forced end
    expect(await runB.status()).not.toBe('succeeded');

    // Meanwhile A drains on: still the same process, well past the old 30 s grace.
    await waitFor('35 s into the run', () => Date.now() - claimedAt > 35_000, 60_000, 500);
    const watched = await api.workers();
    const wa = watched.find((x) => x.id === a.id);
    expect(wa?.local).toMatchObject({ draining: true, state: 'running' });
    expect(await processes(a)).toHaveLength(1);

    const stopped = await stopA;
    expect(stopped.code).toBe(0);
    expect(stopped.runAtReturn).toBe('succeeded');
    // It took at least the rest of the run (less a little clock slack for the claim time).
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(RUN_MS - 1_000);
    expect(stopped.tookMs).toBeGreaterThanOrEqual(RUN_MS - 5_000 - 2_000);
    expect(await processes(a)).toEqual([]);
    console.log(
      `(a) stop took ${(stopped.tookMs / 1000).toFixed(1)} s of a ${RUN_MS / 1000} s run begun 5 s earlier; ` +
        `(d) force stop: worker gone in ${forceMs} ms`,
    );
    expect(await daemon.stop()).toEqual({ code: 0, signal: null });
  });
});
