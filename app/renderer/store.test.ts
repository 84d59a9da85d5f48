// The store through its public surface: frames in, commands out through a fake Bridge, timers
// driven by hand.
import { describe, expect, it } from 'vitest';
import {
  CommandError,
  type CommandName,
  type ConnectivitySample,
  type EventFrame,
  type FusedWorker,
  type LogLine,
  type RunEvent,
  type SupervisorStatus,
} from '../shared/index.ts';
import type { Bridge, ConnectionListener, FrameListener } from './bridge/types.ts';
import { shouldPollRunEvents } from './run-events-poll.ts';
import { PAIRING_POLL_MS, createAppStore, type Timers } from './store.ts';

type Answer = (input: Record<string, unknown>) => unknown;

function fakeBridge(answers: Partial<Record<CommandName, Answer>>) {
  const calls: Array<[CommandName, Record<string, unknown>]> = [];
  let onFrame: FrameListener | null = null;
  let onConn: ConnectionListener | null = null;
  const bridge: Bridge = {
    invoke: (async (name: CommandName, input: Record<string, unknown>) => {
      calls.push([name, input]);
      const answer = answers[name];
      if (!answer) throw new CommandError('internal', `no answer for ${name}`);
      return await answer(input);
    }) as Bridge['invoke'],
    subscribe: (l) => {
      onFrame = l;
      return () => (onFrame = null);
    },
    onConnection: (cb) => {
      onConn = cb;
      cb('connecting');
      return () => (onConn = null);
    },
  };
  return {
    bridge,
    calls,
    answers,
    emit: (f: EventFrame) => onFrame?.(f),
    connect: (s: Parameters<ConnectionListener>[0]) => onConn?.(s),
    called: (name: CommandName) => calls.filter(([n]) => n === name).map(([, i]) => i),
  };
}

function manualTimers(): Timers & { advance(ms: number): void; now(): number } {
  let t = 0;
  let next = 0;
  const q = new Map<number, { at: number; fn: () => void; every?: number }>();
  return {
    setTimeout: (fn, ms) => (q.set(++next, { at: t + ms, fn }), next),
    clearTimeout: (h) => void q.delete(h as number),
    setInterval: (fn, ms) => (q.set(++next, { at: t + ms, fn, every: ms }), next),
    clearInterval: (h) => void q.delete(h as number),
    now: () => t,
    advance(ms) {
      const end = t + ms;
      for (;;) {
        const due = [...q.entries()]
          .filter(([, e]) => e.at <= end)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        const [id, e] = due;
        t = e.at;
        if (e.every) e.at += e.every;
        else q.delete(id);
        e.fn();
      }
      t = end;
    },
  };
}

/** Let pending promise chains run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

const local = (id: string, patch: Partial<SupervisorStatus> = {}): SupervisorStatus => ({
  id,
  state: 'running',
  pid: 10,
  startedAt: 0,
  restarts: 0,
  lastExit: null,
  draining: false,
  nextRestartAt: null,
  adopted: false,
  ...patch,
});

const worker = (id: string, patch: Partial<FusedWorker> = {}): FusedWorker => ({
  id,
  label: `label-${id}`,
  mode: 'workspace',
  apiUrl: 'https://api.pipedai.app',
  desiredState: 'enabled',
  local: local(id),
  remote: null,
  lastEvent: null,
  busy: false,
  currentRunId: null,
  workerVersion: '1.0.0',
  latestWorkerVersion: '1.1.0',
  versionStale: true,
  ...patch,
});

const line = (ts: number, text: string): LogLine => ({ ts, stream: 'out', line: text });
const ev = (seq: number): RunEvent => ({
  seq,
  type: 'assistant',
  ts: seq,
  payload: { text: `e${seq}` },
});
const sample = (ts: number): ConnectivitySample => ({
  ts,
  verdict: 'online',
  api: [],
  internet: { ok: true, latencyMs: 5, status: 204 },
});

function setup(answers: Partial<Record<CommandName, Answer>> = {}, limits = {}) {
  const fb = fakeBridge({
    listWorkers: () => ({ items: [] }),
    getSelf: () => ({ version: '0.8.0', latest: null, stale: false, lastCheckedAt: null }),
    getConnectivity: () => ({ current: null, history: [] }),
    ...answers,
  });
  const timers = manualTimers();
  const store = createAppStore({
    bridge: fb.bridge,
    timers,
    now: timers.now,
    scheduleFlush: (fn) => fn(),
    limits,
  });
  const stop = store.getState().actions.start();
  return {
    ...fb,
    store,
    timers,
    stop,
    s: () => store.getState(),
    a: () => store.getState().actions,
  };
}

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

describe('store: connection', () => {
  it('on (re)connect it refreshes self and connectivity, says Reconnected briefly', async () => {
    const t = setup({
      getConnectivity: () => ({ current: sample(2), history: [sample(1), sample(2)] }),
    });
    t.connect('open');
    await settle();
    expect(t.called('getSelf')).toHaveLength(1);
    expect(t.s().connectivity.history.map((x) => x.ts)).toEqual([1, 2]);
    expect(t.s().reconnected).toBe(false);
    t.connect('reconnecting');
    t.connect('open');
    await settle();
    expect(t.s().reconnected).toBe(true);
    expect(t.called('getSelf')).toHaveLength(2);
    t.timers.advance(3000);
    expect(t.s().reconnected).toBe(false);
  });

  it('the self version is re-checked every minute', async () => {
    const t = setup();
    await settle();
    t.timers.advance(60_000 * 3);
    await settle();
    expect(t.called('getSelf')).toHaveLength(3);
    t.stop();
    t.timers.advance(60_000 * 3);
    expect(t.called('getSelf')).toHaveLength(3);
  });

  it('connectivity frames update the pill and the bounded history', async () => {
    const t = setup({}, { connectivity: 3 });
    for (const ts of [1, 2, 3, 4, 4]) t.emit({ kind: 'connectivity', sample: sample(ts) });
    expect(t.s().connectivity.current?.ts).toBe(4);
    expect(t.s().connectivity.history.map((x) => x.ts)).toEqual([2, 3, 4]);
  });

  it('a dropped frame raises a notice and reloads the list', async () => {
    const t = setup();
    await settle();
    t.emit({ kind: 'dropped', dropped: 7 });
    expect(t.s().notice).toMatchObject({
      tone: 'warn',
      text: expect.stringContaining('7 live updates'),
    });
    expect(t.called('listWorkers')).toHaveLength(2);
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
    expect(t.calls.filter(([n]) => n !== 'listWorkers' && n !== 'getSelf')).toEqual([
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

describe('store: logs drawer', () => {
  it('joins the tail with lines that arrived while it loaded, without duplicates', async () => {
    let answer!: (v: unknown) => void;
    const t = setup({ getLogs: () => new Promise((r) => (answer = r)) });
    t.emit({ kind: 'status', items: [worker('a'), worker('b')] });
    const opening = t.a().openLogs('a');
    expect(t.called('getLogs')).toEqual([{ id: 'a', tail: 2000 }]);
    t.emit({ kind: 'log', id: 'a', ts: 2, stream: 'out', line: 'two' });
    t.emit({ kind: 'log', id: 'a', ts: 3, stream: 'out', line: 'three' });
    t.emit({ kind: 'log', id: 'b', ts: 3, stream: 'out', line: 'other worker' });
    answer({ items: [line(1, 'one'), line(2, 'two')] });
    await opening;
    t.emit({ kind: 'log', id: 'a', ts: 4, stream: 'err', line: 'four' });
    const logs = t.s().logs!;
    expect(logs.loading).toBe(false);
    expect(logs.label).toBe('label-a');
    expect(logs.ring.toArray().map((l) => l.line)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('stays within its limit and counts what it let go', async () => {
    const t = setup({ getLogs: () => ({ items: [] }) }, { logLines: 5 });
    await t.a().openLogs('a');
    for (let i = 0; i < 12; i++)
      t.emit({ kind: 'log', id: 'a', ts: i, stream: 'out', line: `${i}` });
    const ring = t.s().logs!.ring;
    expect(ring.size).toBe(5);
    expect(ring.evicted).toBe(7);
  });

  it('after a reconnect it fetches what it missed', async () => {
    let tail: LogLine[] = [line(1, 'one')];
    const t = setup({ getLogs: () => ({ items: tail }) });
    await t.a().openLogs('a');
    t.connect('open');
    t.connect('reconnecting');
    tail = [line(1, 'one'), line(5, 'missed'), line(6, 'missed too')];
    t.connect('open');
    await settle();
    expect(
      t
        .s()
        .logs!.ring.toArray()
        .map((l) => l.line),
    ).toEqual(['one', 'missed', 'missed too']);
    expect(t.s().logs!.gap).toBe(false);
  });

  it('an answer for a closed drawer is ignored', async () => {
    let answer!: (v: unknown) => void;
    const t = setup({ getLogs: () => new Promise((r) => (answer = r)) });
    const opening = t.a().openLogs('a');
    t.a().closeDrawer();
    answer({ items: [line(1, 'late')] });
    await opening;
    expect(t.s().logs).toBeNull();
    expect(t.s().drawer).toBeNull();
  });
});

describe('store: runs drawer', () => {
  it('selects the newest run, then follows it with after=<last seq>', async () => {
    const t = setup({
      listRuns: () => ({
        items: [
          { runId: 'r2', updatedAt: 2, bytes: 10 },
          { runId: 'r1', updatedAt: 1, bytes: 10 },
        ],
      }),
      getRunEvents: (i) => ({
        items:
          i.after === undefined ? [ev(1), ev(2)] : [ev(Number(i.after)), ev(Number(i.after) + 1)],
      }),
    });
    t.emit({
      kind: 'status',
      items: [worker('a', { currentRunId: 'r2', busy: true, lastEvent: { type: 'x', at: '1' } })],
    });
    await t.a().openRuns('a');
    expect(t.called('getRunEvents')).toEqual([{ id: 'a', runId: 'r2', tail: 1000 }]);
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(shouldPollRunEvents(t.s())).toBe(false); // not connected yet
    t.connect('open');
    await settle();
    expect(shouldPollRunEvents(t.s())).toBe(true);
    // Connecting catches up too (the events may have moved while the stream was down).
    expect(t.called('getRunEvents').at(-1)).toEqual({ id: 'a', runId: 'r2', after: 2 });
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([1, 2, 3]);

    // The run progressed (a status frame says so): ask for what came after.
    t.emit({
      kind: 'status',
      items: [worker('a', { currentRunId: 'r2', busy: true, lastEvent: { type: 'y', at: '2' } })],
    });
    await settle();
    expect(t.called('getRunEvents').at(-1)).toEqual({ id: 'a', runId: 'r2', after: 3 });
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);

    // run-events frames append directly.
    t.emit({ kind: 'run-events', id: 'a', runId: 'r2', items: [ev(4), ev(5)] });
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    t.emit({ kind: 'run-events', id: 'a', runId: 'r1', items: [ev(9)] });
    expect(t.s().runs!.lastSeq).toBe(5);
  });

  it('picking an older run stops following the newest', async () => {
    const t = setup({
      listRuns: () => ({
        items: [
          { runId: 'r2', updatedAt: 2, bytes: 1 },
          { runId: 'r1', updatedAt: 1, bytes: 1 },
        ],
      }),
      getRunEvents: () => ({ items: [ev(1)] }),
    });
    await t.a().openRuns('a');
    await t.a().selectRun('r1');
    expect(t.s().runs).toMatchObject({ selectedRunId: 'r1', autoSelect: false });
    await t.a().refreshRunsList();
    expect(t.s().runs!.selectedRunId).toBe('r1');
  });

  it('keeps at most the limit of events, counting the rest', async () => {
    const t = setup(
      {
        listRuns: () => ({ items: [{ runId: 'r', updatedAt: 1, bytes: 1 }] }),
        getRunEvents: () => ({ items: [ev(1), ev(2), ev(3)] }),
      },
      { runEvents: 2 },
    );
    await t.a().openRuns('a');
    expect(t.s().runs).toMatchObject({ truncated: 1, lastSeq: 3 });
    expect(t.s().runs!.events.map((e) => e.seq)).toEqual([2, 3]);
  });

  it('empty and error states', async () => {
    const t = setup({
      listRuns: () => {
        throw new CommandError('internal', 'disk on fire');
      },
    });
    await t.a().openRuns('a');
    expect(t.s().runs).toMatchObject({ list: null, listError: 'disk on fire' });
  });
});

describe('store: pairing', () => {
  const start = {
    pairingId: 'p1',
    userCode: 'BCDF-GHJK',
    verificationUri: 'https://pipedai.app/device',
    verificationUriComplete: 'https://pipedai.app/device?code=BCDF-GHJK',
    expiresAt: new Date(15 * 60_000).toISOString(),
  };

  it('polls every 2 s until approved, then lands on the new worker', async () => {
    let state: Record<string, unknown> = { state: 'waiting' };
    const t = setup({ startPairing: () => start, pairingStatus: () => state });
    await t.a().startPairing({ apiUrl: 'https://api.pipedai.app' });
    expect(t.s().pairing).toMatchObject({ phase: 'waiting', start });
    t.timers.advance(PAIRING_POLL_MS);
    await settle();
    expect(t.called('pairingStatus')).toEqual([{ pairingId: 'p1' }]);
    state = { state: 'approved', workerId: 'w_new' };
    t.timers.advance(PAIRING_POLL_MS);
    await settle();
    expect(t.s().pairing).toMatchObject({ phase: 'approved', workerId: 'w_new' });
    expect(t.s().highlight).toBe('w_new');
    t.timers.advance(PAIRING_POLL_MS * 5);
    expect(t.called('pairingStatus')).toHaveLength(2);
    // Once the worker is in the list the pairing is over: later frames do not highlight it again.
    t.emit({ kind: 'status', items: [worker('w_new')] });
    expect(t.s().pairing.phase).toBe('idle');
    t.timers.advance(10_000);
    expect(t.s().highlight).toBeNull();
    t.emit({ kind: 'status', items: [worker('w_new')] });
    expect(t.s().highlight).toBeNull();
  });

  it('a pairing frame moves it at once; a failure keeps the reason', async () => {
    const t = setup({ startPairing: () => start, pairingStatus: () => ({ state: 'waiting' }) });
    await t.a().startPairing({ apiUrl: 'https://api.pipedai.app' });
    t.emit({ kind: 'pairing', pairingId: 'other', status: { state: 'approved', workerId: 'x' } });
    expect(t.s().pairing.phase).toBe('waiting');
    t.emit({
      kind: 'pairing',
      pairingId: 'p1',
      status: { state: 'failed', error: 'access_denied' },
    });
    expect(t.s().pairing).toMatchObject({ phase: 'failed', error: 'access_denied' });
  });

  it('an expired code fails without asking; cancel tells the daemon', async () => {
    const t = setup({
      startPairing: () => start,
      pairingStatus: () => ({ state: 'waiting' }),
      cancelPairing: () => ({ ok: true }),
    });
    await t.a().startPairing({ apiUrl: 'https://api.pipedai.app' });
    await t.a().cancelPairing();
    expect(t.called('cancelPairing')).toEqual([{ pairingId: 'p1' }]);
    expect(t.s().pairing.phase).toBe('idle');
    await t.a().startPairing({ apiUrl: 'https://api.pipedai.app' });
    // Each poll waits for its answer before the next is scheduled.
    for (let i = 0; i < 3; i++) {
      t.timers.advance(8 * 60_000);
      await settle();
    }
    expect(t.s().pairing).toMatchObject({
      phase: 'failed',
      error: expect.stringContaining('expired'),
    });
  });
});

describe('store: self-update', () => {
  it('drains, restarts, and says how it went once the daemon is back', async () => {
    let self = { version: '0.8.0', latest: '0.9.0', stale: true, lastCheckedAt: null };
    const t = setup({
      getSelf: () => self,
      upgradeSelf: () => ({ ok: true, action: 'upgrade-self', durationMs: 5 }),
    });
    t.connect('open');
    await settle();
    t.a().openDialog({ kind: 'self-upgrade' });
    t.a().confirmDialog();
    expect(t.s().selfUpgrading).toBe(true);
    await settle();
    expect(t.called('upgradeSelf')).toEqual([{ version: '0.9.0' }]);
    t.connect('reconnecting');
    self = { version: '0.9.0', latest: '0.9.0', stale: false, lastCheckedAt: null };
    t.connect('open');
    await settle();
    expect(t.s().selfUpgrading).toBe(false);
    expect(t.s().notice).toEqual({ tone: 'ok', text: 'The orchestrator is back on v0.9.0.' });
  });

  it('a desktop app restarts into its downloaded update instead of installing from npm', async () => {
    const t = setup({
      getSelf: () => ({
        version: '0.8.0',
        latest: '0.9.0',
        stale: true,
        lastCheckedAt: null,
        desktopUpdate: { state: 'ready', version: '0.9.1' },
      }),
      restartToUpdate: () => ({ ok: true, action: 'restart-to-update' }),
    });
    t.connect('open');
    await settle();
    t.a().openDialog({ kind: 'self-upgrade' });
    t.a().confirmDialog();
    await settle();
    expect(t.called('restartToUpdate')).toEqual([{}]);
    expect(t.called('upgradeSelf')).toEqual([]);
    expect(t.s().notice).toEqual({
      tone: 'info',
      text: 'Restarting into v0.9.1; the workers keep running.',
    });
  });

  it('a failed install is reported and the button comes back', async () => {
    const t = setup({
      getSelf: () => ({ version: '0.8.0', latest: '0.9.0', stale: true, lastCheckedAt: null }),
      upgradeSelf: () => {
        throw new CommandError('conflict', 'install already in flight');
      },
    });
    t.connect('open');
    await settle();
    await t.a().upgradeSelf();
    expect(t.s().selfUpgrading).toBe(false);
    expect(t.s().notice).toEqual({
      tone: 'err',
      text: 'Self-update failed: install already in flight',
    });
  });
});

describe('store: diagnostics', () => {
  it('asks the daemon when the drawer opens and again on demand; a failure is shown', async () => {
    let fail = false;
    const report = {
      by: 'daemon' as const,
      generatedAt: 1,
      checks: [{ id: 'disk', title: 'Disk', status: 'ok' as const, summary: 'fine', details: [] }],
    };
    const t = setup({
      getDiagnostics: () => {
        if (fail) throw new CommandError('unavailable', 'the daemon went away');
        return report;
      },
    });
    t.connect('open');
    await settle();
    t.a().openDiagnostics();
    expect(t.s().drawer).toEqual({ kind: 'diagnostics' });
    await settle();
    expect(t.s().diagnostics).toEqual({ report, loading: false, error: null });
    fail = true;
    await t.a().loadDiagnostics();
    expect(t.s().diagnostics).toEqual({ report, loading: false, error: 'the daemon went away' });
    expect(t.called('getDiagnostics')).toEqual([{}, {}]);
  });
});
