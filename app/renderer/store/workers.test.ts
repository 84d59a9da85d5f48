// The workers table: frames replace and patch the list; row verbs run once, confirmed when
// destructive, with their result inline.
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../shared/index.ts';
import { local, settle, setup, worker } from './test-support.ts';

describe('store: workers from frames', () => {
  it('status replaces the list; worker-state patches one row; unknown ids are ignored', async () => {
    const t = setup();
    await settle();
    expect(t.s().workers).toEqual([]);
    t.emit({ kind: 'status', items: [worker('a'), worker('b')] });
    const before = t.s().workers!;
    t.emit({ kind: 'worker-state', status: local('b', { state: 'backing-off', restarts: 2 }) });
    t.emit({ kind: 'worker-state', status: local('zzz', { state: 'crashed' }) });
    const after = t.s().workers!;
    expect(after[0]).toBe(before[0]);
    expect(after[1]!.local).toMatchObject({ state: 'backing-off', restarts: 2 });
    t.emit({ kind: 'status', items: [worker('c')] });
    expect(t.s().workers!.map((w) => w.id)).toEqual(['c']);
  });

  it('a list answer older than a status frame does not overwrite it', async () => {
    let answer!: (v: unknown) => void;
    const t = setup({ listWorkers: () => new Promise((r) => (answer = r)) });
    t.emit({ kind: 'status', items: [worker('fresh')] });
    answer({ items: [worker('stale')] });
    await settle();
    expect(t.s().workers!.map((w) => w.id)).toEqual(['fresh']);
  });

  it('a failed first load is an error state, not an empty list', async () => {
    const t = setup({
      listWorkers: () => {
        throw new CommandError('unavailable', "can't reach the orchestrator");
      },
    });
    await settle();
    expect(t.s().workers).toBeNull();
    expect(t.s().workersError).toBe("can't reach the orchestrator");
  });
});

describe('store: row actions', () => {
  it('destructive verbs are confirmed first; the result shows inline, then fades', async () => {
    const t = setup({ stopWorker: (i) => ({ id: i.id, action: 'stop', ok: true }) });
    t.emit({ kind: 'status', items: [worker('a')] });
    t.a().requestVerb('a', 'stop');
    expect(t.s().dialog).toEqual({ kind: 'confirm', verb: 'stop', workerId: 'a' });
    expect(t.called('stopWorker')).toEqual([]);
    t.a().confirmDialog();
    expect(t.s().dialog).toBeNull();
    expect(t.s().rows.a?.pending).toBe('stop');
    await settle();
    expect(t.called('stopWorker')).toEqual([{ id: 'a' }]);
    expect(t.s().rows.a).toEqual({ pending: null, result: { ok: true, text: 'stopped' } });
    t.timers.advance(8000);
    expect(t.s().rows.a?.result).toBeNull();
  });

  it('non-destructive verbs run at once; errors stay with the message', async () => {
    const t = setup({
      startWorker: () => {
        throw new CommandError('precondition', 'no operator credential for https://x');
      },
    });
    t.emit({ kind: 'status', items: [worker('a', { desiredState: 'disabled' })] });
    t.a().requestVerb('a', 'start');
    await settle();
    expect(t.s().rows.a?.result).toEqual({
      ok: false,
      text: 'Start failed: no operator credential for https://x',
    });
    t.timers.advance(60_000);
    expect(t.s().rows.a?.result?.ok).toBe(false);
    t.a().dismissRowResult('a');
    expect(t.s().rows.a?.result).toBeNull();
  });

  it('one command per row, but Force stop cuts into a draining stop', async () => {
    let finishStop!: () => void;
    const t = setup({
      stopWorker: (i) =>
        i.force
          ? { id: i.id, action: 'stop', ok: true }
          : new Promise((r) => (finishStop = () => r({ id: i.id, action: 'stop', ok: true }))),
    });
    t.emit({ kind: 'status', items: [worker('a')] });
    void t.a().runVerb('a', 'stop');
    void t.a().runVerb('a', 'restart');
    void t.a().runVerb('a', 'force-stop');
    await settle();
    const loads = new Set(['listWorkers', 'getSelf', 'getResources']);
    expect(t.calls.filter(([n]) => !loads.has(n))).toEqual([
      ['stopWorker', { id: 'a' }],
      ['stopWorker', { id: 'a', force: true }],
    ]);
    finishStop();
    await settle();
    expect(t.s().rows.a?.pending).toBeNull();
  });

  it('Upgrade sends the latest version and reports old → new', async () => {
    const t = setup({
      upgradeWorker: (i) => ({
        id: i.id,
        action: 'upgrade',
        ok: true,
        target: `@pipedai/worker@${String(i.version)}`,
        durationMs: 61_000,
        oldVersion: '1.0.0',
      }),
    });
    t.emit({ kind: 'status', items: [worker('a')] });
    await t.a().runVerb('a', 'upgrade');
    expect(t.called('upgradeWorker')).toEqual([{ id: 'a', version: '1.1.0' }]);
    expect(t.s().rows.a?.result?.text).toBe('upgraded v1.0.0 → v1.1.0 in 61s');
  });

  it('Upgrade without a newer version never calls the daemon', async () => {
    const t = setup();
    t.emit({ kind: 'status', items: [worker('a', { versionStale: false })] });
    await t.a().runVerb('a', 'upgrade');
    expect(t.called('upgradeWorker')).toEqual([]);
    expect(t.s().rows.a?.result?.ok).toBe(false);
  });

  it("build returns the server's field so the dialog can mark it", async () => {
    const t = setup({
      buildWorker: () => {
        throw new CommandError('bad-request', 'token: must start with pool_', 'token');
      },
    });
    await expect(
      t.a().build({ apiUrl: 'https://api.pipedai.app', pool: true, token: 'pool_x' }),
    ).resolves.toEqual({ ok: false, error: 'token: must start with pool_', field: 'token' });
  });
});
