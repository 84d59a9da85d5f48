// One worker's state machine with its processes, clock and timers in hand (fake timers): the
// backoff, the drain and its ceilings, Windows' idle wait, adoption and the hand-off.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SupervisorStatus } from '../../../shared/index.ts';
import { backoffPolicy } from './backoff.ts';
import { discardOutput, type OutputCapture } from './capture/worker-capture.ts';
import { createWorkerLog } from './logs/index.ts';
import { SupervisedWorker, type SupervisedWorkerDeps } from './supervised-worker.ts';
import type { ProcessHandlers, WorkerProcess } from './worker-process.ts';

const T0 = 1_000_000;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

class FakeProc implements WorkerProcess {
  terminates = 0;
  kills = 0;
  releases = 0;
  readonly pid: number | null;
  readonly handlers: ProcessHandlers;
  readonly adopted: boolean;
  constructor(pid: number | null, handlers: ProcessHandlers, adopted = false) {
    this.pid = pid;
    this.handlers = handlers;
    this.adopted = adopted;
  }
  terminate(): void {
    this.terminates++;
  }
  async kill(): Promise<void> {
    this.kills++;
  }
  release(): void {
    this.releases++;
  }
  spawned(): void {
    this.handlers.onSpawn(this.pid ?? 0);
  }
  exit(code: number | null, signal: string | null = null): void {
    this.handlers.onExit({ code, signal });
  }
}

function harness(o: Partial<SupervisedWorkerDeps> & { problem?: () => string | null } = {}) {
  const procs: FakeProc[] = [];
  const changes: SupervisorStatus[] = [];
  const lines: string[] = [];
  const log = createWorkerLog({ workerId: 'w1', file: null, onLine: (l) => lines.push(l.line) });
  let logClosed = 0;
  let captureClosed = 0;
  const capture: OutputCapture = { ...discardOutput(), close: () => void captureClosed++ };
  const w = new SupervisedWorker('w1', '/w1.json', {
    platform: 'linux',
    launch: (handlers) => {
      const problem = o.problem?.() ?? null;
      if (problem !== null) return { problem };
      const p = new FakeProc(100 + procs.length, handlers);
      procs.push(p);
      return p;
    },
    log: { ...log, close: async () => void logClosed++ },
    capture,
    backoff: backoffPolicy({ unitMs: 100, jitter: 0 }), // 100, 500, 1500, 6000, 30000; stable 6 s
    drainCeilingMs: null,
    idlePollMs: 50,
    random: () => 0.5,
    now: () => Date.now(),
    onChange: (s) => void changes.push(s),
    ...o,
  });
  const last = (): FakeProc => procs.at(-1) as FakeProc;
  const run = (): FakeProc => {
    w.start();
    last().spawned();
    return last();
  };
  return {
    w,
    procs,
    changes,
    lines,
    last,
    run,
    closed: () => ({ log: logClosed, capture: captureClosed }),
  };
}

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('supervised worker', () => {
  it('starts once: starting, then running from its spawn, with its pid and start time', async () => {
    const h = harness();
    h.w.start();
    expect(h.w.status()).toMatchObject({ state: 'starting', pid: 100, startedAt: null });
    h.w.start();
    await advance(10);
    h.last().spawned();
    h.w.start();
    h.w.keepRunning();
    expect(h.procs).toHaveLength(1);
    expect(h.w.status()).toEqual({
      id: 'w1',
      state: 'running',
      pid: 100,
      startedAt: T0 + 10,
      restarts: 0,
      lastExit: null,
      draining: false,
      drainingSince: null,
      nextRestartAt: null,
      adopted: false,
    });
    expect(h.w.hasProcess).toBe(true);
    expect(h.changes.map((c) => c.state)).toEqual(['starting', 'running']);
  });

  it('restarts a crash on the backoff schedule, and a stable run starts a fresh streak', async () => {
    const h = harness();
    h.run();
    await advance(1000);
    h.last().exit(1);
    expect(h.w.status()).toMatchObject({
      state: 'backing-off',
      pid: null,
      restarts: 1,
      nextRestartAt: T0 + 1100,
      lastExit: { code: 1, signal: null, at: T0 + 1000 },
    });
    expect(h.w.hasProcess).toBe(false);
    await advance(99);
    expect(h.procs).toHaveLength(1);
    await advance(1);
    expect(h.procs).toHaveLength(2);
    expect(h.w.status()).toMatchObject({ state: 'starting', nextRestartAt: null, restarts: 1 });
    h.last().spawned();
    h.last().exit(null, 'SIGSEGV');
    expect(h.w.status()).toMatchObject({ restarts: 2, nextRestartAt: Date.now() + 500 });
    await advance(500);
    h.last().spawned();
    await advance(6000); // a stable run
    h.last().exit(1);
    expect(h.w.status()).toMatchObject({ restarts: 1, nextRestartAt: Date.now() + 100 });
  });

  it('a process that never spawned ran for no time: its crash counts up the streak', async () => {
    const h = harness();
    h.w.start();
    await advance(7000);
    h.last().exit(null); // never reported its spawn
    expect(h.w.status()).toMatchObject({ restarts: 1, nextRestartAt: Date.now() + 100 });
    await advance(100);
    await advance(7000);
    h.last().exit(null);
    expect(h.w.status()).toMatchObject({ restarts: 2 });
  });

  it('jitters the delay with the random source it was given', () => {
    const h = harness({ backoff: backoffPolicy({ unitMs: 100, jitter: 0.1 }), random: () => 0 });
    h.run().exit(1);
    expect(h.w.status().nextRestartAt).toBe(T0 + 90);
  });

  it('crashes for good past maxRestarts', async () => {
    const h = harness({ backoff: backoffPolicy({ unitMs: 100, jitter: 0, maxRestarts: 1 }) });
    h.run().exit(1);
    await advance(100);
    h.last().spawned();
    h.last().exit(1);
    expect(h.w.status()).toMatchObject({ state: 'crashed', restarts: 2, nextRestartAt: null });
    await advance(60_000);
    expect(h.procs).toHaveLength(2);
  });

  it('a stop during backoff cancels the pending restart', async () => {
    const h = harness();
    h.run().exit(1);
    await h.w.stop();
    expect(h.w.status()).toMatchObject({ state: 'stopped', restarts: 0, nextRestartAt: null });
    await advance(60_000);
    expect(h.procs).toHaveLength(1);
    const seen = h.changes.length;
    await h.w.stop(); // already stopped: no transition to tell
    expect(h.changes).toHaveLength(seen);
  });

  it('a start during backoff cuts it short; the restart it replaced never adds a process', async () => {
    const h = harness();
    h.run().exit(1);
    await advance(100);
    h.last().spawned();
    h.last().exit(1);
    expect(h.w.status().restarts).toBe(2);
    h.w.start();
    expect(h.procs).toHaveLength(3);
    expect(h.w.status()).toMatchObject({ state: 'starting', restarts: 0, nextRestartAt: null });
    await advance(60_000);
    expect(h.procs).toHaveLength(3);
  });

  it("reconcile's keepRunning leaves a backoff to run its course, and starts a stopped worker", async () => {
    const h = harness();
    h.w.keepRunning();
    expect(h.procs).toHaveLength(1);
    h.last().spawned();
    h.last().exit(1);
    h.w.keepRunning();
    expect(h.procs).toHaveLength(1);
    expect(h.w.status()).toMatchObject({ state: 'backing-off', restarts: 1 });
    await advance(100);
    expect(h.procs).toHaveLength(2);
  });

  it('a POSIX stop asks the worker to drain and waits for it, however long, without a ceiling', async () => {
    const h = harness();
    h.run().exit(1);
    await advance(100);
    const p = h.last();
    p.spawned();
    expect(h.w.status().restarts).toBe(1);
    await advance(5);
    let stopped = false;
    const stop = h.w.stop().then(() => (stopped = true));
    expect(p.terminates).toBe(1);
    expect(h.w.status()).toMatchObject({
      state: 'running',
      draining: true,
      drainingSince: T0 + 105,
    });
    await advance(3_600_000);
    expect(p.kills).toBe(0);
    expect(stopped).toBe(false);
    p.exit(0);
    await stop;
    expect(h.w.status()).toMatchObject({
      state: 'stopped',
      pid: null,
      restarts: 0,
      draining: false,
      drainingSince: null,
      lastExit: { code: 0, signal: null, at: T0 + 105 + 3_600_000 },
    });
    await advance(60_000);
    expect(h.procs).toHaveLength(2); // an asked-for exit is not restarted
  });

  it("kills the tree once the drain passes the operator's ceiling", async () => {
    const h = harness({ drainCeilingMs: 1000 });
    const p = h.run();
    void h.w.stop();
    await advance(999);
    expect(p.kills).toBe(0);
    await advance(1);
    expect(p.kills).toBe(1);
    p.exit(null, 'SIGKILL');
    await advance(5000);
    expect(p.kills).toBe(1);
    // A drain that ends before its ceiling takes its kill with it: the next process is spared.
    const q = h.run();
    void h.w.stop();
    h.w.start();
    await advance(500);
    q.exit(0);
    expect(h.procs).toHaveLength(3);
    await advance(5000);
    expect(h.last().kills).toBe(0);
  });

  it('a stop with its own ceiling, or a later one during the drain, counts from when the drain began', async () => {
    const h = harness();
    const p = h.run();
    void h.w.stop({ ceilingMs: 300 });
    await advance(200);
    // A later stop with a shorter ceiling: due 100 ms after the drain began, so at once.
    void h.w.stop({ ceilingMs: 100 });
    await advance(0);
    expect(p.kills).toBe(1);
    p.exit(null, 'SIGKILL');

    const q = h.run();
    void h.w.stop();
    await advance(50);
    void h.w.stop({ ceilingMs: 100 });
    await advance(49);
    expect(q.kills).toBe(0);
    await advance(1);
    expect(q.kills).toBe(1);
    // A longer ceiling asked later does not put off the kill already due.
    const r = (q.exit(null, 'SIGKILL'), h.run());
    void h.w.stop({ ceilingMs: 100 });
    void h.w.stop({ ceilingMs: 5000 });
    await advance(100);
    expect(r.kills).toBe(1);
  });

  it('force kills at once, at the first stop or during a drain', async () => {
    const h = harness();
    const p = h.run();
    void h.w.stop({ force: true });
    expect(p.terminates).toBe(0);
    await advance(0);
    expect(p.kills).toBe(1);
    p.exit(null, 'SIGKILL');
    const q = h.run();
    const first = h.w.stop();
    const second = h.w.stop({ force: true });
    await advance(0);
    expect(q.kills).toBe(1);
    q.exit(null, 'SIGKILL');
    await Promise.all([first, second]);
    expect(h.w.status().state).toBe('stopped');
  });

  it('Windows without a way to tell idle: the tree goes at once, without a drain signal', async () => {
    const h = harness({ platform: 'win32' });
    const p = h.run();
    void h.w.stop();
    await advance(0);
    expect(p).toMatchObject({ terminates: 0, kills: 1 });
  });

  it('Windows: waits until the worker holds no run (a failed probe is no answer), then kills', async () => {
    const answers: Array<boolean | Error> = [false, new Error('probe failed'), true];
    let asked = 0;
    const h = harness({
      platform: 'win32',
      isIdle: async () => {
        asked++;
        const a = answers.shift() ?? true;
        if (a instanceof Error) throw a;
        return a;
      },
    });
    const p = h.run();
    void h.w.stop();
    await advance(0);
    expect(asked).toBe(1);
    expect(p.kills).toBe(0);
    await advance(50);
    expect(asked).toBe(2);
    expect(p.kills).toBe(0);
    await advance(50);
    expect(asked).toBe(3);
    await advance(1); // the kill it schedules (a 0 ms timer set within a tick runs 1 ms later)
    expect(p).toMatchObject({ terminates: 0, kills: 1 });
  });

  it('Windows: an exit during the idle wait ends the polling; a ceiling still applies', async () => {
    let asked = 0;
    const h = harness({
      platform: 'win32',
      drainCeilingMs: 500,
      isIdle: async () => (asked++, false),
    });
    const p = h.run();
    void h.w.stop();
    await advance(120);
    expect(asked).toBe(3);
    p.exit(0);
    await advance(1000);
    expect(asked).toBe(3);
    const q = h.run();
    void h.w.stop();
    await advance(499);
    expect(q.kills).toBe(0);
    await advance(1);
    expect(q.kills).toBe(1);
  });

  it('Windows: an exit while the idle probe is out ends the wait, whatever it answers', async () => {
    let asked = 0;
    let answer: (idle: boolean) => void = () => undefined;
    const h = harness({
      platform: 'win32',
      isIdle: () => (asked++, new Promise<boolean>((r) => (answer = r))),
    });
    const p = h.run();
    void h.w.stop();
    expect(asked).toBe(1);
    p.exit(0);
    answer(false);
    await advance(1000);
    expect(asked).toBe(1);
    expect(p.kills).toBe(0);
  });

  it('a start issued while a stop drains runs once the drain ends; a stop meanwhile wins', async () => {
    const h = harness();
    const p = h.run();
    const stopped = h.w.stop();
    h.w.start();
    h.w.keepRunning();
    expect(h.procs).toHaveLength(1);
    p.exit(0);
    await stopped;
    expect(h.procs).toHaveLength(2);
    expect(h.w.status().state).toBe('starting');

    const q = (h.last().spawned(), h.last());
    const restarted = h.w.restart();
    expect(q.terminates).toBe(1);
    void h.w.stop();
    q.exit(0);
    await restarted;
    expect(h.procs).toHaveLength(2);
    expect(h.w.status().state).toBe('stopped');
  });

  it('restart: stops then starts, and resolves when the stop is done', async () => {
    const h = harness();
    const p = h.run();
    let done = false;
    const restarted = h.w.restart().then(() => (done = true));
    await advance(0);
    expect(done).toBe(false);
    p.exit(0);
    await restarted;
    expect(h.procs).toHaveLength(2);
  });

  it('waits in needs-runtime without a crash loop, saying why once, until a runtime appears', async () => {
    let problem: string | null = 'no worker runtime is installed';
    const h = harness({ problem: () => problem });
    h.w.start();
    h.w.start();
    h.w.keepRunning();
    expect(h.w.status()).toMatchObject({ state: 'needs-runtime', restarts: 0, pid: null });
    expect(h.lines).toEqual(['[orchestrator] cannot start: no worker runtime is installed']);
    expect(h.changes.map((c) => c.state)).toEqual(['needs-runtime']);
    await advance(60_000);
    problem = null;
    h.w.start();
    expect(h.w.status().state).toBe('starting');
    // A runtime gone by the time a backoff ends: no streak is left to count from.
    h.last().exit(1);
    expect(h.w.status().restarts).toBe(1);
    problem = 'the runtime was removed';
    await advance(100);
    expect(h.w.status()).toMatchObject({ state: 'needs-runtime', restarts: 0 });
  });

  it('adopts a process a previous daemon left, and replaces it at once when it ends', () => {
    const h = harness();
    let adopted: FakeProc | null = null;
    h.w.adopt((handlers) => (adopted = new FakeProc(77, handlers, true)), T0 - 5000);
    expect(h.w.status()).toMatchObject({
      state: 'running',
      pid: 77,
      startedAt: T0 - 5000,
      adopted: true,
    });
    expect(h.lines).toEqual(['[orchestrator] adopted pid 77 left running by a previous daemon']);
    expect(() => h.w.adopt((handlers) => new FakeProc(78, handlers, true), T0)).toThrow(
      'worker w1 already has a process',
    );
    (adopted as unknown as FakeProc).handlers.onSpawn(77); // nothing to do for an adopted one
    (adopted as unknown as FakeProc).exit(null);
    expect(h.procs).toHaveLength(1);
    expect(h.w.status()).toMatchObject({ state: 'starting', restarts: 0, adopted: false });
  });

  it('adopting cancels a pending restart', async () => {
    const h = harness();
    h.run().exit(1);
    h.w.adopt((handlers) => new FakeProc(77, handlers, true), T0);
    expect(h.w.status().nextRestartAt).toBeNull();
    await advance(60_000);
    expect(h.procs).toHaveLength(1);
  });

  it('close stops, then closes the capture and the log; nothing starts it again', async () => {
    const h = harness();
    const p = h.run();
    const closing = h.w.close();
    expect(h.closed()).toEqual({ log: 0, capture: 0 });
    p.exit(0);
    await closing;
    expect(h.closed()).toEqual({ log: 1, capture: 1 });
    h.w.start();
    h.w.keepRunning();
    expect(h.procs).toHaveLength(1);
    expect(() => h.w.adopt((handlers) => new FakeProc(77, handlers, true), T0)).toThrow(
      'already has a process',
    );
  });

  it('a start during the closing drain is not honoured', async () => {
    const h = harness();
    const p = h.run();
    const closing = h.w.close();
    h.w.start();
    p.exit(0);
    await closing;
    expect(h.procs).toHaveLength(1);
  });

  it('detach leaves the process running and unwatched, cancels a pending restart, and starts nothing', async () => {
    const h = harness();
    const p = h.run();
    await h.w.detach();
    expect(p).toMatchObject({ releases: 1, terminates: 0, kills: 0 });
    expect(h.closed()).toEqual({ log: 1, capture: 1 });
    h.w.start();
    expect(h.procs).toHaveLength(1);

    const g = harness();
    g.run().exit(1);
    await g.w.detach(); // no process: nothing to release
    await advance(60_000);
    expect(g.procs).toHaveLength(1);
  });

  it('ignores the late spawn and exit reports of a process it no longer runs', async () => {
    const h = harness();
    h.w.start();
    const old = h.last();
    void h.w.stop({ force: true });
    old.exit(null, 'SIGKILL');
    h.w.start();
    const current = h.last();
    old.spawned();
    expect(h.w.status()).toMatchObject({ state: 'starting', pid: current.pid });
    old.exit(1);
    expect(h.w.status()).toMatchObject({ state: 'starting', pid: current.pid, restarts: 0 });
    current.spawned();
    current.spawned();
    expect(h.changes.filter((c) => c.state === 'running')).toHaveLength(1);
  });
});
