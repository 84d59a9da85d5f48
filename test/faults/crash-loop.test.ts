// Fault 3: a worker that crashes shortly after every start. The supervisor must follow the
// backoff schedule (1, 5, 15, 60, 300 units with ±10% jitter; a run of 60 units resets the
// streak), never run two copies, and stay cheap: the daemon's own CPU is bounded meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisorStatus } from '../../app/shared/index.ts';
import { subscribeFrames, waitFor, sleep, type FrameLog } from './support/control.ts';
import { spawnDaemon, type DaemonChild } from './support/daemon.ts';
import { createFixture, type Fixture } from './support/fixture.ts';
import { cpuSeconds, runProcessesByConfig } from './support/procfs.ts';

const UNIT_MS = 25;
const SCHEDULE = [1, 5, 15, 60, 300].map((u) => u * UNIT_MS);
const STABLE_MS = 60 * UNIT_MS;
const JITTER = 0.1;
/** Share of one core the daemon may use while its worker crash-loops. */
const CPU_BOUND = 0.2;

describe('fault: a crash-looping worker', () => {
  let fx: Fixture;
  let daemon: DaemonChild | null = null;
  let frames: FrameLog | null = null;

  beforeAll(async () => {
    fx = await createFixture({ workers: 1 });
  });
  afterAll(async () => {
    frames?.close();
    daemon?.child.kill('SIGKILL');
    await fx?.cleanup();
  });

  it('respects the backoff schedule, never doubles the worker, and keeps the daemon cheap', async () => {
    daemon = await spawnDaemon(
      fx.env({ PIPEDAI_BACKOFF_UNIT_MS: String(UNIT_MS), PIPEDAI_SIM_CRASH_AFTER_MS: '50' }),
    );
    frames = await subscribeFrames(daemon.url, fx.localToken);
    const worker = fx.workers[0];
    if (!worker) throw new Error('no worker');
    const states = (): SupervisorStatus[] =>
      (frames as FrameLog).frames.flatMap(({ frame }) =>
        frame.kind === 'worker-state' && frame.status.id === worker.id ? [frame.status] : [],
      );
    const backoffs = (): SupervisorStatus[] => states().filter((s) => s.state === 'backing-off');

    let doubled = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        if (((await runProcessesByConfig()).get(worker.configPath) ?? []).length > 1) doubled++;
        await sleep(50);
      }
    })();

    await waitFor('the first crash', () => backoffs().length >= 1);
    const cpuStart = await cpuSeconds(daemon.pid);
    const wallStart = performance.now();
    // Through the whole schedule: the fifth restart waits 300 units; see the spawn after it.
    await waitFor(
      'a restart after the fifth crash of a streak',
      () => {
        const all = states();
        const fifth = all.findIndex((s) => s.state === 'backing-off' && s.restarts >= 5);
        return fifth >= 0 && all.slice(fifth).some((s) => s.state === 'running');
      },
      60_000,
    );
    const cpuUsed = ((await cpuSeconds(daemon.pid)) ?? NaN) - (cpuStart ?? NaN);
    const wall = (performance.now() - wallStart) / 1000;
    watching = false;
    await watcher;

    expect(doubled).toBe(0);
    // Walk the transitions: each exit → backing-off with the scheduled delay → next spawn.
    const all = states();
    let streak = 0;
    let lastStart: number | null = null;
    let checked = 0;
    for (let i = 0; i < all.length; i++) {
      const s = all[i] as SupervisorStatus;
      if (s.state === 'running' && s.startedAt !== null) lastStart = s.startedAt;
      if (s.state !== 'backing-off') continue;
      const exit = s.lastExit;
      expect(exit).not.toBeNull();
      if (exit === null || s.nextRestartAt === null) throw new Error('backing-off without times');
      const ran = lastStart === null ? 0 : exit.at - lastStart;
      streak = ran >= STABLE_MS ? 1 : streak + 1;
      expect(s.restarts).toBe(streak);
      const base = SCHEDULE[Math.min(streak, SCHEDULE.length) - 1] as number;
      const planned = s.nextRestartAt - exit.at;
      expect(planned).toBeGreaterThanOrEqual(Math.floor(base * (1 - JITTER)));
      expect(planned).toBeLessThanOrEqual(Math.ceil(base * (1 + JITTER)));
      // The respawn itself comes no sooner than planned.
      const next = all.slice(i + 1).find((n) => n.state === 'running' && n.startedAt !== null);
      if (next?.startedAt != null) {
        expect(next.startedAt).toBeGreaterThanOrEqual(s.nextRestartAt);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(cpuUsed / wall).toBeLessThan(CPU_BOUND);
    console.info(
      `crash loop: ${checked} restarts checked; daemon CPU ${cpuUsed.toFixed(2)} s over ${wall.toFixed(1)} s`,
    );
  });
});
