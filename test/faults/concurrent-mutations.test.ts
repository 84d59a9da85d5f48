// Fault 6: 200 lifecycle calls at once over the control API, spread over 10 workers. None may be
// lost: afterwards the manifest parses and holds all 10 entries, and for every worker the
// manifest's desiredState, the supervisor's state and the processes on the host agree.
//
// Which call is "last" for a worker is whatever order the daemon serialized them in, and that
// order cannot be seen from outside. So the workers are split: for 5 of them the calls all push
// the same way (stop/disable from enabled, start/enable from disabled), which fixes the outcome
// whatever the order, and a lost update shows as a wrong final state; the other 5 get a random
// mix, for which the outcome must be one the calls could produce and must be consistent.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest, type DesiredState, type FusedWorker } from '../../app/shared/index.ts';
import { controlClient, sleep, waitFor, type ControlClient } from './support/control.ts';
import { startInProcess, type InProcessDaemon } from './support/daemon.ts';
import { createFixture, type Fixture } from './support/fixture.ts';
import { isLive, runProcessesByConfig } from './support/procfs.ts';
import { faultSeed, pick, seededRandom, shuffle } from './support/random.ts';

type Verb = 'start' | 'stop' | 'disable' | 'enable';
const CALLS_PER_WORKER = 20;
const SEED = faultSeed(6);

/** Per worker index: its starting desiredState and the verbs it draws from. */
const plan = (i: number): { initial: DesiredState; verbs: Verb[] } =>
  i < 5
    ? { initial: 'enabled', verbs: ['start', 'stop', 'disable', 'enable'] }
    : i < 8
      ? { initial: 'enabled', verbs: ['stop', 'disable'] }
      : { initial: 'disabled', verbs: ['start', 'enable'] };
const direction = (v: Verb): DesiredState =>
  v === 'start' || v === 'enable' ? 'enabled' : 'disabled';

// A worker that drains at once: SIGTERM ends it (a real process per worker, cheap to respawn).
const STUB = `#!/bin/sh
trap 'exit 0' TERM INT
while :; do sleep 1 & wait $!; done
`;

describe('fault: 200 concurrent mutations over the control API', () => {
  let fx: Fixture;
  let daemon: InProcessDaemon | null = null;
  let api: ControlClient;

  beforeAll(async () => {
    fx = await createFixture({ workers: 10, desiredState: (i) => plan(i).initial });
    const stub = join(fx.dir, 'stub-worker');
    await writeFile(stub, STUB);
    await chmod(stub, 0o755);
    daemon = await startInProcess(
      fx.env({
        PIPEDAI_WORKER_BIN: stub,
        PIPEDAI_DRAIN_CEILING_MS: '5000',
      }),
    );
    api = controlClient(daemon.url, fx.localToken);
  });
  afterAll(async () => {
    await daemon?.stop();
    await fx?.cleanup();
  });

  const settled = (items: FusedWorker[]): boolean =>
    items.every(
      (w) =>
        w.local !== null &&
        !w.local.draining &&
        w.local.state === (w.desiredState === 'enabled' ? 'running' : 'stopped'),
    );

  it('loses none: manifest, supervisor and processes agree with the calls', async () => {
    await waitFor('the initial states', async () => settled(await api.workers()));
    const random = seededRandom(SEED);
    const calls = shuffle(
      random,
      fx.workers.flatMap((w, i) =>
        Array.from({ length: CALLS_PER_WORKER }, () => ({ w, verb: pick(random, plan(i).verbs) })),
      ),
    );
    const answers = await Promise.all(
      calls.map(async ({ w, verb }) => ({
        w,
        verb,
        answer: await api.call('POST', `/api/workers/${w.id}/${verb}`),
      })),
    );
    const failed = answers.filter((a) => a.answer.status !== 200);
    expect(
      failed.map((a) => `${a.verb} ${a.w.label}: ${a.answer.status} ${a.answer.text}`),
    ).toEqual([]);

    // Wait until the supervisor has carried out what the manifest says, and it stays so.
    const final = await waitFor(
      'the supervisor to settle',
      async () => {
        const first = await api.workers();
        if (!settled(first)) return null;
        await sleep(500);
        const again = await api.workers();
        return settled(again) && JSON.stringify(again) === JSON.stringify(first) ? again : null;
      },
      60_000,
    );

    const manifest = Manifest.parse(JSON.parse(await readFile(fx.paths.manifest, 'utf8')));
    expect(manifest.workers.map((e) => e.id).sort()).toEqual(fx.workers.map((w) => w.id).sort());
    const byConfig = await runProcessesByConfig();
    const remote = await Promise.all(
      fx.workers.map(async (w) => {
        const r = await fx.sandbox('GET', `/sandbox/workers/${w.id}`);
        return (r.body as { disabled: boolean }).disabled;
      }),
    );
    for (const [i, w] of fx.workers.entries()) {
      const mine = calls.filter((c) => c.w === w).map((c) => c.verb);
      const entry = manifest.workers.find((e) => e.id === w.id);
      const fused = final.find((f) => f.id === w.id);
      const procs = byConfig.get(w.configPath) ?? [];
      // The outcome is the direction of one of the calls; fixed when they all push one way.
      expect(mine.map(direction)).toContain(entry?.desiredState);
      if (i >= 5) expect(entry?.desiredState).toBe(direction(mine[0] as Verb));
      expect(fused?.desiredState).toBe(entry?.desiredState);
      if (entry?.desiredState === 'enabled') {
        expect(fused?.local?.state).toBe('running');
        expect(procs).toEqual([fused?.local?.pid]);
        expect(await isLive(procs[0] as number)).toBe(true);
      } else {
        expect(fused?.local?.state).toBe('stopped');
        expect(procs).toEqual([]);
      }
      // Server side: a worker only ever disabled is disabled, one only ever enabled is enabled.
      if (mine.includes('disable') && !mine.includes('enable')) expect(remote[i]).toBe(true);
      if (mine.includes('enable') && !mine.includes('disable')) expect(remote[i]).toBe(false);
    }
  });
});
