// Worker upgrade (§8.3) against the API emulator: the drain waits for the run in flight, the
// install is the exact npm command, the worker respawns and is enabled again; a failed install
// leaves the worker running and enabled.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommandError } from '../../app/shared/index.ts';
import { isAlive } from '../../sandbox/worker/test-support.ts';
import { leakReport } from './support/secrets.ts';
import { startSuite, waitFor, type Suite, type TestDaemon } from './support/suite.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ name: 'upgrade', emulator: { keepAliveMs: 1_000 } });
});
afterEach(async () => suite.cleanup());
afterAll(async () => suite?.close());

/** A connected host whose worker runs and is online in the fused view. */
async function connectedWorker(
  hostname: string,
): Promise<{ t: TestDaemon; id: string; pid: number }> {
  const t = await suite.daemon();
  const { entry } = await suite.connect(t, { hostname, workspaceId: `ws_${hostname}` });
  const pid = await t.running(entry.id);
  await waitFor('the worker online with its version', async () => {
    const w = await t.fused(entry.id);
    return w?.remote?.status === 'online' && w.workerVersion === '1.4.2';
  });
  return { t, id: entry.id, pid };
}

describe('worker upgrade', () => {
  it('waits for the run in flight, installs, respawns and re-enables', async () => {
    const { t, id, pid } = await connectedWorker('it-upgrade-ok');
    const runId = await suite.enqueueRun(id, 5_000, 3);
    await waitFor('the fused view to say busy', async () => {
      const w = await t.fused(id);
      return w?.busy === true && w.currentRunId === runId;
    });

    const upgrading = t.orchestrator.upgradeWorker({ id, version: '1.5.0' });
    let settled = false;
    void upgrading.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The drain disables the worker server-side while its run still plays; meanwhile nothing is
    // installed and the process is the same.
    const drain = await waitFor('the drain to disable the worker', async () => {
      const w = await suite.worker(id);
      return w.disabled && { w, pid: t.local(id)?.pid, installs: t.npm.calls.length, settled };
    });
    expect(drain).toEqual({
      w: expect.objectContaining({ disabled: true, currentRunId: runId }),
      pid,
      installs: 0,
      settled: false,
    });

    const result = await upgrading;
    expect(result).toMatchObject({
      id,
      action: 'upgrade',
      ok: true,
      target: '@pipedai/worker@1.5.0',
      oldVersion: '1.4.2',
    });
    const run = await suite.run(runId);
    expect(run).toMatchObject({ status: 'succeeded', failureKind: null });
    // The daemon pushed the run's events as the worker wrote them: run-events frames, each once.
    const written = (await t.orchestrator.getRunEvents({ id, runId, tail: 5000 })).items;
    expect(written.length).toBeGreaterThanOrEqual(3);
    const pushed = () =>
      t.frames.flatMap((f) =>
        f.kind === 'run-events' && f.id === id && f.runId === runId ? f.items : [],
      );
    await waitFor('the run events as frames', () => pushed().length >= written.length);
    expect(pushed()).toEqual(written);
    expect(t.npm.calls.map((c) => [c.command, ...c.args].join(' '))).toEqual([
      'npm install -g @pipedai/worker@1.5.0',
    ]);
    expect(t.npm.calls[0]!.at).toBeGreaterThanOrEqual(Date.parse(run.finishedAt!));

    await t.running(id, pid);
    expect(isAlive(pid)).toBe(false);
    expect((await suite.worker(id)).disabled).toBe(false);
    expect((await t.manifest())[0]?.desiredState).toBe('enabled');
    // It takes runs again.
    const next = await suite.enqueueRun(id, 100, 1);
    await waitFor('the next run', async () => (await suite.run(next)).status === 'succeeded');
  });

  it('a failed install re-enables the worker, reports the failure and keeps the old process', async () => {
    const { t, id, pid } = await connectedWorker('it-upgrade-fail');
    t.npm.failure = { code: 1, stderr: 'npm ERR! code E404\nnpm ERR! 404 Not Found' };

    const e = await t.failure('upgrade', t.orchestrator.upgradeWorker({ id, version: '9.9.9' }));
    expect(e).toBeInstanceOf(CommandError);
    expect(e).toMatchObject({ code: 'upstream' });
    expect(e.message).toMatch(/^npm install failed \(exit 1\): .*404 Not Found/);
    expect(t.npm.calls.map((c) => [c.command, ...c.args].join(' '))).toEqual([
      'npm install -g @pipedai/worker@9.9.9',
    ]);
    expect(await suite.worker(id)).toMatchObject({ disabled: false });
    expect(t.local(id)).toMatchObject({ state: 'running', pid });
    expect((await t.manifest())[0]?.desiredState).toBe('enabled');
    // Like every verb, the failed upgrade leaves the fused view saying what the server says.
    expect((await t.fused(id))?.remote).toMatchObject({ disabled: false, status: 'online' });
  });
});

describe('secrets', () => {
  it('no token the emulator issued appears in any log line, frame, error or file', () => {
    const report = leakReport(suite.evidence, suite.tokens);
    expect(Object.keys(report.kinds).sort()).toEqual(['enr', 'hos', 'wkt']);
    expect(report.canaries).toBe(2 * suite.tokens.all().length);
    for (const c of ['frame:status', 'frame:log', 'error', 'file:logs/', 'file:runs/'])
      expect(report.categories).toContain(c);
    expect(report.leaks).toEqual([]);
  });
});
