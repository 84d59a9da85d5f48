// The managed worker runtime against real parts: the sandbox npm registry (Verdaccio) and npm
// itself on the daemon's Node, the API emulator, the published simulator as real processes.
// Upgrade side by side while a run plays (the run completes, the old version is kept), a broken
// release rolled back by itself, a manual rollback, and an unreachable registry: a clear error,
// the worker entry kept in needs-runtime (no crash loop), and a retry once it is back.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommandError, type EventFrame } from '../../app/shared/index.ts';
import { isAlive } from '../../sandbox/worker/test-support.ts';
import { leakReport } from './support/secrets.ts';
import { startSuite, waitFor, type Suite, type TestDaemon } from './support/suite.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ name: 'upgrade', emulator: { keepAliveMs: 1_000 }, registry: true });
});
afterEach(async () => suite.cleanup());
afterAll(async () => suite?.close());

/** The script a process runs (argv[1]) and its executable, from /proc. */
function processOf(pid: number): { exe: string; script: string | undefined } {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  return { exe: argv[0]!, script: argv[1] };
}

const script = (home: string, version: string): string =>
  join(home, 'runtime/worker', version, 'node_modules/@pipedai/worker/bin/pipedai-worker.js');

/** A connected host whose worker runs the managed runtime and is online in the fused view. */
async function connectedWorker(
  hostname: string,
): Promise<{ t: TestDaemon; id: string; pid: number }> {
  const t = await suite.daemon({ managed: true });
  const { entry } = await suite.connect(t, { hostname, workspaceId: `ws_${hostname}` });
  // As `connect` and the dashboard's pairing do: the runtime first (here: latest = 1.4.2).
  expect(await t.orchestrator.installWorkerRuntime({ id: entry.id })).toMatchObject({
    version: '1.4.2',
  });
  const pid = await t.running(entry.id);
  await waitFor('the worker online with its version', async () => {
    const w = await t.fused(entry.id);
    return w?.remote?.status === 'online' && w.workerVersion === '1.4.2';
  });
  return { t, id: entry.id, pid };
}

const framesOf = <K extends EventFrame['kind']>(t: TestDaemon, kind: K) =>
  t.frames.filter((f): f is Extract<EventFrame, { kind: K }> => f.kind === kind);

describe('managed worker runtime', () => {
  it('runs on the daemon’s Node from PIPEDAI_HOME; upgrades side by side while a run completes; rolls a broken release back by itself', async () => {
    const { t, id, pid } = await connectedWorker('it-upgrade-ok');
    expect(processOf(pid)).toEqual({ exe: process.execPath, script: script(t.home, '1.4.2') });
    expect((await t.fused(id))?.runtime).toMatchObject({
      source: 'managed',
      version: '1.4.2',
      previous: null,
      command: script(t.home, '1.4.2'),
    });
    expect(framesOf(t, 'runtime').map((f) => f.install.phase)).toEqual(
      expect.arrayContaining(['resolving', 'downloading', 'installing', 'verifying', 'done']),
    );

    const runId = await suite.enqueueRun(id, 4_000, 3);
    await waitFor('the fused view to say busy', async () => (await t.fused(id))?.busy === true);
    const upgrade = await t.orchestrator.upgradeWorker({ id, version: '1.5.0' });
    expect(upgrade).toMatchObject({ target: '@pipedai/worker@1.5.0', oldVersion: '1.4.2' });
    // The run in flight finished on 1.4.2 before the switch.
    expect(await suite.run(runId)).toMatchObject({ status: 'succeeded', failureKind: null });
    // The daemon pushed the run's events as the worker wrote them: run-events frames, each once.
    const written = (await t.orchestrator.getRunEvents({ id, runId, tail: 5000 })).items;
    expect(written.length).toBeGreaterThanOrEqual(3);
    const pushed = () =>
      t.frames.flatMap((f) =>
        f.kind === 'run-events' && f.id === id && f.runId === runId ? f.items : [],
      );
    await waitFor('the run events as frames', () => pushed().length >= written.length);
    expect(pushed()).toEqual(written);
    const pid150 = await t.running(id, pid);
    expect(isAlive(pid)).toBe(false);
    expect(processOf(pid150).script).toBe(script(t.home, '1.5.0'));
    expect(existsSync(script(t.home, '1.4.2'))).toBe(true);
    await waitFor(
      '1.5.0 reported to the API',
      async () => (await t.fused(id))?.workerVersion === '1.5.0',
    );
    expect((await suite.worker(id)).disabled).toBe(false);

    // 1.5.1 exits at start: the daemon goes back to 1.5.0 by itself and says so.
    await t.orchestrator.upgradeWorker({ id, version: '1.5.1' });
    const rollback = await waitFor('the automatic rollback', () => framesOf(t, 'rollback')[0]);
    expect(rollback.rollback).toMatchObject({ id, from: '1.5.1', to: '1.5.0', automatic: true });
    const pidBack = await waitFor('1.5.0 running again', () => {
      const s = t.local(id);
      return (
        s?.state === 'running' &&
        s.pid &&
        processOf(s.pid).script === script(t.home, '1.5.0') &&
        s.pid
      );
    });
    expect((await t.fused(id))?.runtime).toMatchObject({
      source: 'managed',
      version: '1.5.0',
      previous: '1.5.1',
      rolledBackFrom: '1.5.1',
      rolledBackAutomatically: true,
    });
    expect(t.logs.join('\n')).toMatch(/rolled back from 1\.5\.1 to 1\.5\.0/);

    // A manual rollback drains and swaps back again (to the one it left).
    expect(await t.orchestrator.rollbackWorker({ id })).toMatchObject({
      from: '1.5.0',
      to: '1.5.1',
    });
    await t.running(id, pidBack);
    expect(framesOf(t, 'rollback').at(-1)?.rollback).toMatchObject({ automatic: false });
    // Last two kept (plus what a worker uses): 1.4.2 was pruned once nothing needed it.
    const versions = (await t.orchestrator.getRuntime({})).versions.map((v) => v.version);
    expect(versions).toEqual(expect.arrayContaining(['1.5.0', '1.5.1']));
  });

  it('an unreachable registry: a clear error, the worker kept and never crash-looping, and a retry once it is back', async () => {
    const { t, id, pid } = await connectedWorker('it-upgrade-fail');
    await suite.registryStop();
    try {
      const e = await t.failure('upgrade', t.orchestrator.upgradeWorker({ id, version: '1.5.0' }));
      expect(e).toBeInstanceOf(CommandError);
      expect(e.message).toContain(
        `cannot reach ${suite.registryUrl} to install @pipedai/worker@1.5.0`,
      );
      // Nothing was drained or disabled: the install comes first.
      expect(await suite.worker(id)).toMatchObject({ disabled: false });
      expect(t.local(id)).toMatchObject({ state: 'running', pid });
      expect(framesOf(t, 'runtime').at(-1)?.install).toMatchObject({
        phase: 'failed',
        failure: 'unreachable',
        registry: suite.registryUrl,
      });

      // A second host paired while the registry is down: enrolled, but waiting for its runtime.
      const t2 = await suite.daemon({ managed: true });
      const { entry } = await suite.connect(t2, {
        hostname: 'it-needs-runtime',
        workspaceId: 'ws_nr',
      });
      const e2 = await t2.failure(
        'install',
        t2.orchestrator.installWorkerRuntime({ id: entry.id }),
      );
      expect(e2.message).toMatch(/cannot reach .* to install @pipedai\/worker@latest/);
      const waiting = await t2.fused(entry.id);
      expect(waiting?.local).toMatchObject({ state: 'needs-runtime', pid: null, restarts: 0 });
      expect(waiting?.runtime).toMatchObject({
        source: 'none',
        problem: expect.stringContaining('cannot reach'),
      });
      expect((await t2.manifest()).map((m) => m.id)).toEqual([entry.id]);

      await suite.registryStart();
      await t2.orchestrator.installWorkerRuntime({ id: entry.id });
      const pid2 = await t2.running(entry.id);
      expect(processOf(pid2).script).toBe(script(t2.home, '1.4.2'));
    } finally {
      await suite.registryStart();
    }
  });
});

describe('secrets', () => {
  it('no token the emulator issued appears in any log line, frame, error or file', () => {
    const report = leakReport(suite.evidence, suite.tokens);
    expect(Object.keys(report.kinds).sort()).toEqual(['enr', 'hos', 'wkt']);
    expect(report.canaries).toBe(2 * suite.tokens.all().length);
    for (const c of ['frame:status', 'frame:logs', 'error', 'file:logs/', 'file:runs/'])
      expect(report.categories).toContain(c);
    expect(report.leaks).toEqual([]);
  });
});
