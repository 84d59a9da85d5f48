// The IPC door over a real Orchestrator (openDaemon in a temp PIPEDAI_HOME): what reaches the
// daemon, what the schemas refuse, and what a foreign sender gets.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CommandError,
  forwardingHandlers,
  type CommandName,
  type CommandTarget,
  type EventFrame,
} from '../../../shared/index.ts';
import { openDaemon, type Daemon } from '../../daemon/daemon.ts';
import { pathsFor } from '../../daemon/paths.ts';
import { openStore } from '../../daemon/store/index.ts';
import { orchestratorTarget } from '../../hosts/link.ts';
import { FRAME_BATCH_MAX, FRAME_BATCH_MS, createFrameBatcher, createIpcDoor } from './ipc.ts';
import { APP_ORIGIN, isTrustedSender, type SenderInfo } from './window.ts';

const WINDOW = 3;
const trusted: SenderInfo = {
  webContentsId: WINDOW,
  frameUrl: `${APP_ORIGIN}/index.html`,
  isMainFrame: true,
};
const check = (s: SenderInfo): boolean =>
  isTrustedSender(s, { webContentsId: WINDOW, appOrigins: [APP_ORIGIN] });

describe('IPC door over a real Orchestrator', () => {
  let home: string;
  let daemon: Daemon;
  let door: ReturnType<typeof createIpcDoor>;

  beforeAll(async () => {
    home = await mkdtemp(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'ipc-door-'));
    await openStore(pathsFor(home)).manifest.add({
      id: 'w-1',
      label: 'Alpha',
      apiUrl: 'https://api.example.test',
      workspaceId: 'ws-1',
      configPath: join(home, 'orchestrator', 'workers', 'alpha.json'),
      mode: 'workspace',
      desiredState: 'enabled',
    });
    daemon = await openDaemon({
      host: 'desktop',
      env: {
        ...process.env,
        PIPEDAI_HOME: home,
        PIPEDAI_WORKER_BIN: join(home, 'no-such-worker'),
        PIPEDAI_INTERNET_PROBE_URL: 'http://127.0.0.1:9/',
      },
      log: () => undefined,
      exitForRestart: () => undefined,
    });
    door = createIpcDoor({
      target: orchestratorTarget(daemon.orchestrator, () => undefined),
      isTrustedSender: check,
    });
  });
  afterAll(async () => {
    await daemon?.close({ drain: true });
    await rm(home, { recursive: true, force: true });
  });

  it('runs a valid call on the Orchestrator and answers its output', async () => {
    const r = await door.invoke(trusted, 'listWorkers', {});
    expect(r.ok).toBe(true);
    const items = r.ok ? (r.value as { items: Array<{ id: string; label: string }> }).items : [];
    expect(items.map((w) => [w.id, w.label])).toEqual([['w-1', 'Alpha']]);
  });

  it('changes a worker through the door: stop persists the desired state', async () => {
    expect(await door.invoke(trusted, 'stopWorker', { id: 'w-1' })).toEqual({
      ok: true,
      value: { id: 'w-1', action: 'stop', ok: true },
    });
    expect((await openStore(pathsFor(home)).manifest.get('w-1'))?.desiredState).toBe('disabled');
  });

  it('rejects bad input with the failing field, before the daemon sees it', async () => {
    const cases: Array<[CommandName, unknown, string]> = [
      ['stopWorker', { id: '' }, 'id'],
      ['stopWorker', { id: 'w-1', force: 'yes' }, 'force'],
      ['getRunEvents', { id: 'w-1', runId: '../../etc' }, 'runId'],
      ['buildWorker', { apiUrl: 'not a url' }, 'apiUrl'],
      ['upgradeWorker', { id: 'w-1', version: 'file:../evil.tgz' }, 'version'],
      ['startWorker', 'w-1', '(root)'],
    ];
    for (const [name, input, field] of cases) {
      const r = await door.invoke(trusted, name, input);
      expect(r, `${name} ${JSON.stringify(input)}`).toMatchObject({
        ok: false,
        error: { code: 'bad-request', field },
      });
    }
    // None of those reached the daemon: the worker is still as the previous test left it.
    expect((await openStore(pathsFor(home)).manifest.get('w-1'))?.desiredState).toBe('disabled');
  });

  it('refuses names outside the command table', async () => {
    for (const name of ['shutdown', '__proto__', 'constructor', 42, undefined]) {
      const r = await door.invoke(trusted, name, {});
      expect(r, String(name)).toMatchObject({
        ok: false,
        error: { code: 'bad-request', field: 'name' },
      });
    }
  });

  it("carries the daemon's own errors with their code", async () => {
    const r = await door.invoke(trusted, 'startWorker', { id: 'nope' });
    expect(r).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('answers the snapshot and the link state to our window', async () => {
    const snap = await door.snapshot(trusted);
    expect(snap.ok && snap.value.map((f) => f.kind)).toContain('status');
    expect(door.connection(trusted)).toEqual({ ok: true, value: 'open' });
  });
});

describe('IPC door sender check and errors', () => {
  function spyTarget(fail?: unknown) {
    const calls: Array<[string, unknown]> = [];
    const target: CommandTarget = {
      handlers: forwardingHandlers(async (name, args) => {
        calls.push([name, args]);
        if (fail !== undefined) throw fail;
        return { items: [] } as never;
      }),
      snapshot: async () => [],
      state: () => 'open',
    };
    return { target, calls };
  }

  it('rejects a foreign sender on every channel without calling the daemon', async () => {
    const { target, calls } = spyTarget();
    const door = createIpcDoor({ target, isTrustedSender: check });
    const foreign: SenderInfo[] = [
      { ...trusted, webContentsId: 99 },
      { ...trusted, isMainFrame: false },
      { ...trusted, frameUrl: 'https://evil.example/' },
      { ...trusted, frameUrl: null },
    ];
    for (const s of foreign) {
      const forbidden = {
        ok: false,
        error: {
          code: 'forbidden',
          error: 'refused: IPC is accepted only from the dashboard window',
        },
      };
      expect(await door.invoke(s, 'listWorkers', {})).toMatchObject(forbidden);
      expect(await door.snapshot(s)).toMatchObject(forbidden);
      expect(door.connection(s)).toMatchObject(forbidden);
    }
    expect(calls).toEqual([]);
    expect(await door.invoke(trusted, 'listWorkers', {})).toEqual({
      ok: true,
      value: { items: [] },
    });
    expect(calls).toEqual([['listWorkers', {}]]);
  });

  it('passes parsed input on (defaults and clamps applied)', async () => {
    const { target, calls } = spyTarget();
    const door = createIpcDoor({ target, isTrustedSender: check });
    await door.invoke(trusted, 'getLogs', { id: 'w', tail: '99999' });
    await door.invoke(trusted, 'startPairing', undefined);
    expect(calls).toEqual([
      ['getLogs', { id: 'w', tail: 2000 }],
      ['startPairing', { apiUrl: 'https://api.pipedai.app' }],
    ]);
  });

  it('scrubs tokens from daemon errors and hides bugs behind a bland message', async () => {
    const leaky = new CommandError('upstream', 'api said no to pwk_abcdefghijklmnop1234');
    const r1 = await createIpcDoor({
      target: spyTarget(leaky).target,
      isTrustedSender: check,
    }).invoke(trusted, 'listWorkers', {});
    expect(r1).toMatchObject({ ok: false, error: { code: 'upstream' } });
    expect(JSON.stringify(r1)).not.toContain('pwk_abcdefghijklmnop1234');

    const seen: string[] = [];
    const r2 = await createIpcDoor({
      target: spyTarget(new TypeError('x is undefined')).target,
      isTrustedSender: check,
      onInternalError: (e, what) => seen.push(`${what}: ${(e as Error).message}`),
    }).invoke(trusted, 'listWorkers', {});
    expect(r2).toEqual({ ok: false, error: { code: 'internal', error: 'internal error' } });
    expect(seen).toEqual(['listWorkers: x is undefined']);
  });

  it("answers a failed snapshot with the daemon's error, and logs only a bug", async () => {
    const seen: string[] = [];
    const doorFailing = (fail: unknown) =>
      createIpcDoor({
        target: { ...spyTarget().target, snapshot: () => Promise.reject(fail) },
        isTrustedSender: check,
        onInternalError: (e, what) => seen.push(`${what}: ${(e as Error).message}`),
      });
    expect(
      await doorFailing(new CommandError('unavailable', 'the daemon is restarting')).snapshot(
        trusted,
      ),
    ).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(seen).toEqual([]);
    expect(await doorFailing(new TypeError('frames is undefined')).snapshot(trusted)).toEqual({
      ok: false,
      error: { code: 'internal', error: 'internal error' },
    });
    expect(seen).toEqual(['snapshot: frames is undefined']);
    // Without a logger, a bug still gets the bland answer.
    const bare = createIpcDoor({
      target: { ...spyTarget().target, snapshot: () => Promise.reject(new TypeError('x')) },
      isTrustedSender: check,
    });
    expect(await bare.snapshot(trusted)).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

describe('frames to the window', () => {
  const log = (n: number): EventFrame => ({
    kind: 'logs',
    id: 'w',
    lines: [{ ts: n, stream: 'out', line: `line ${n}` }],
  });
  const setup = () => {
    const sent: EventFrame[][] = [];
    const timers: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
    const batcher = createFrameBatcher({
      send: (frames) => sent.push(frames),
      later: (fn, ms) => {
        const t = { fn, ms, cancelled: false };
        timers.push(t);
        return () => void (t.cancelled = true);
      },
    });
    return { sent, timers, batcher };
  };

  it('a burst of log lines goes as one message, in order, within one display frame', () => {
    const { sent, timers, batcher } = setup();
    for (let i = 0; i < 300; i++) batcher.push(log(i));
    expect(sent).toEqual([]);
    expect(timers).toHaveLength(1);
    expect(timers[0]!.ms).toBe(FRAME_BATCH_MS);
    timers[0]!.fn();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.map((f) => (f.kind === 'logs' ? f.lines[0]!.ts : -1))).toEqual(
      Array.from({ length: 300 }, (_, i) => i),
    );
  });

  it('a full batch goes at once; the rest waits for the timer', () => {
    const { sent, timers, batcher } = setup();
    for (let i = 0; i < FRAME_BATCH_MAX + 3; i++) batcher.push(log(i));
    expect(sent.map((b) => b.length)).toEqual([FRAME_BATCH_MAX]);
    expect(timers[0]!.cancelled).toBe(true);
    timers.at(-1)!.fn();
    expect(sent.map((b) => b.length)).toEqual([FRAME_BATCH_MAX, 3]);
  });

  describe('on the real clock', () => {
    afterEach(() => void vi.useRealTimers());

    it('sends what waits once FRAME_BATCH_MS pass, and a full batch cancels that wait', () => {
      vi.useFakeTimers();
      const sent: EventFrame[][] = [];
      const batcher = createFrameBatcher({ send: (frames) => sent.push(frames) });
      batcher.push(log(0));
      vi.advanceTimersByTime(FRAME_BATCH_MS - 1);
      expect(sent).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(sent).toEqual([[log(0)]]);

      for (let i = 1; i < FRAME_BATCH_MAX; i++) batcher.push(log(i));
      vi.advanceTimersByTime(FRAME_BATCH_MS / 2);
      batcher.push(log(FRAME_BATCH_MAX)); // the batch is full: it goes now
      batcher.push(log(FRAME_BATCH_MAX + 1)); // and this one waits its own FRAME_BATCH_MS
      expect(sent.map((b) => b.length)).toEqual([1, FRAME_BATCH_MAX]);
      vi.advanceTimersByTime(FRAME_BATCH_MS / 2);
      expect(sent.map((b) => b.length)).toEqual([1, FRAME_BATCH_MAX]);
      vi.advanceTimersByTime(FRAME_BATCH_MS / 2);
      expect(sent.map((b) => b.length)).toEqual([1, FRAME_BATCH_MAX, 1]);
    });
  });

  it('flush sends what waits now, and nothing when nothing waits', () => {
    const { sent, batcher } = setup();
    batcher.flush();
    batcher.push(log(1));
    batcher.flush();
    expect(sent).toEqual([[log(1)]]);
  });
});
