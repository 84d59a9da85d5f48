// Fault (b) of issue 12 (and the acceptance's "kill -9 twice during a 40 s run"): the daemon is
// killed with SIGKILL three times during a 60 s run of a chatty worker, and started again each
// time. The worker's output goes to files it holds, so it never notices: the run succeeds, there
// is exactly one worker process at every sample, and the numbered lines it printed after each
// restart reach the ring and the log file. The capture files are never reclaimed here (well
// under 4 MiB), so the rotation window allows no loss: every number must be there.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../app/shared/index.ts';
import { controlClient, sleep, waitFor, type ControlClient } from './support/control.ts';
import { runCli, spawnDaemon, type DaemonChild } from './support/daemon.ts';
import { createFixture, type Fixture, type FaultWorker } from './support/fixture.ts';
import { runProcessesByConfig } from './support/procfs.ts';
import { claimedRun, firstWorkerPid } from './support/runs.ts';

const RUN_MS = 60_000;
const KILLS = 3;
const LINES_PER_SECOND = 200;

const chatterNumbers = (text: string): number[] =>
  [...text.matchAll(/chatter #(\d+)/g)].map((m) => Number(m[1]));

describe('fault: kill -9 of the daemon, three times, during a chatty run', () => {
  let fx: Fixture;
  let worker: FaultWorker;
  const daemons: DaemonChild[] = [];

  beforeAll(async () => {
    fx = await createFixture({ workers: 1 });
    worker = fx.workers[0] as FaultWorker;
  });
  afterAll(async () => {
    for (const d of daemons) d.child.kill('SIGKILL');
    await fx?.cleanup();
  });

  /** The last chatter number the worker has written to its stdout file (not what we read). */
  const printedUpTo = async (): Promise<number> =>
    Math.max(
      0,
      ...chatterNumbers(
        await readFile(join(fx.paths.captureDir, `${worker.id}.out`), 'utf8').catch(() => ''),
      ),
    );
  const ringNumbers = async (api: ControlClient): Promise<number[]> => {
    const a = await api.call('GET', `/api/workers/${worker.id}/logs?tail=2000`);
    return chatterNumbers((a.body as { items: LogLine[] }).items.map((l) => l.line).join('\n'));
  };
  const fileNumbers = async (): Promise<Set<number>> => {
    const log = fx.paths.logFile(worker.id);
    const text =
      (await readFile(`${log}.1`, 'utf8').catch(() => '')) + (await readFile(log, 'utf8'));
    return new Set(chatterNumbers(text));
  };

  it('the run succeeds, one worker process throughout, every line after each restart captured', async () => {
    const env = fx.env({ PIPEDAI_SIM_LOG_RATE: String(LINES_PER_SECOND) });
    let daemon = await spawnDaemon(env);
    daemons.push(daemon);
    let api = controlClient(daemon.url, fx.localToken);
    const pid = await firstWorkerPid(api);
    const run = await claimedRun(fx, worker.id, RUN_MS, 20);
    const { claimedAt } = run;

    // One process for the worker at every sample, from now to the end.
    const violations: string[] = [];
    let samples = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const found = (await runProcessesByConfig()).get(worker.configPath) ?? [];
        samples++;
        if (found.length !== 1 || found[0] !== pid) violations.push(JSON.stringify(found));
        await sleep(100);
      }
    })();

    const restartedAt: number[] = [];
    for (let k = 1; k <= KILLS; k++) {
      await waitFor(
        `${k * 13} s into the run`,
        () => Date.now() - claimedAt > k * 13_000,
        60_000,
        200,
      );
      daemon.child.kill('SIGKILL');
      expect((await daemon.exited).signal).toBe('SIGKILL');
      // What the worker prints from here on must all come through the next daemon.
      const printed = await printedUpTo();
      restartedAt.push(printed);
      daemon = await spawnDaemon(env);
      daemons.push(daemon);
      api = controlClient(daemon.url, fx.localToken);
      const adopted = await waitFor('the worker adopted', async () => {
        const w = (await api.workers())[0];
        return w?.local?.state === 'running' ? w.local : null;
      });
      expect(adopted).toMatchObject({ pid, adopted: true });
      // Live again: lines printed after the restart reach the ring.
      await waitFor('lines printed after the restart in the ring', async () =>
        (await ringNumbers(api)).some((n) => n > printed + LINES_PER_SECOND),
      );
    }

    await waitFor(
      'the run to succeed',
      async () => (await run.status()) === 'succeeded',
      60_000,
      500,
    );
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(RUN_MS - 1_000);
    watching = false;
    await watcher;
    expect(violations).toEqual([]);
    expect(samples).toBeGreaterThan(300);

    // The acceptance: `logs` shows lines printed after the last restart.
    const logs = await runCli(['logs', worker.label, '--tail', '50'], env);
    expect(logs.code).toBe(0);
    const last = restartedAt.at(-1) as number;
    expect(chatterNumbers(logs.stdout).some((n) => n > last)).toBe(true);

    // Every line the worker printed is in the log file: none lost (some may be there twice).
    const top = await printedUpTo();
    await waitFor('the file to catch up', async () => (await fileNumbers()).has(top));
    const inFile = await fileNumbers();
    const missing = Array.from({ length: top }, (_, i) => i + 1).filter((n) => !inFile.has(n));
    expect(missing).toEqual([]);
    console.log(
      `(b) ${KILLS} kills at lines ${restartedAt.join(', ')} of ${top}; ${samples} process samples, all one worker (pid ${pid})`,
    );

    // The adopted worker drains like our own on shutdown.
    expect(await daemon.stop()).toEqual({ code: 0, signal: null });
    await waitFor('the worker gone', async () => {
      return ((await runProcessesByConfig()).get(worker.configPath) ?? []).length === 0;
    });
  });
});
