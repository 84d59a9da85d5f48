// One worker process behind one interface, spawned or adopted, with the child, the killer, the
// probe and the output capture injected: what each of them is told, and when.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OutputCapture, SpawnStdio } from './capture/worker-capture.ts';
import { discardOutput } from './capture/worker-capture.ts';
import { createWorkerLog, type WorkerLog } from './logs/index.ts';
import type { ProcessProbe } from './process-probe.ts';
import type { Killer } from './spawn.ts';
import {
  adoptWorkerProcess,
  spawnWorkerProcess,
  type ExitResult,
  type SpawnFn,
} from './worker-process.ts';

afterEach(() => {
  vi.useRealTimers();
});

class FakeChild extends EventEmitter {
  readonly kills: (string | number | undefined)[] = [];
  unrefs = 0;
  readonly pid: number | undefined;
  constructor(pid: number | undefined) {
    super();
    this.pid = pid;
  }
  kill(signal?: string | number): boolean {
    this.kills.push(signal);
    return true;
  }
  unref(): void {
    this.unrefs++;
  }
}

/** Everything the process tells its collaborators, in order. */
function world(opts: { openFails?: Error; spawnThrows?: Error; pid?: number | undefined } = {}) {
  const calls: string[] = [];
  const exits: ExitResult[] = [];
  const spawned: Array<{ stdio: unknown; child: FakeChild }> = [];
  const lines: string[] = [];
  const log: WorkerLog = createWorkerLog({
    workerId: 'w1',
    file: null,
    onLine: (l) => lines.push(l.line),
  });
  const capture: OutputCapture = {
    ...discardOutput(),
    openForSpawn: (): SpawnStdio => {
      calls.push('open');
      if (opts.openFails) throw opts.openFails;
      return { stdio: ['ignore', 11, 12], release: () => void calls.push('release') };
    },
    follow: () => void calls.push('follow'),
    finish: () => void calls.push('finish'),
  };
  const killer: Killer = {
    terminate: (pid) => void calls.push(`terminate ${pid}`),
    killTree: async (pid) => void calls.push(`killTree ${pid}`),
    killGroup: (pid) => void calls.push(`killGroup ${pid}`),
  };
  const spawn: SpawnFn = (command, args, options) => {
    calls.push(`spawn ${command} ${args.join(' ')}`);
    if (opts.spawnThrows) throw opts.spawnThrows;
    const child = new FakeChild('pid' in opts ? opts.pid : 4242);
    spawned.push({ stdio: options.stdio, child });
    return child as unknown as ChildProcess;
  };
  const handlers = {
    onSpawn: (pid: number) => void calls.push(`onSpawn ${pid}`),
    onExit: (r: ExitResult) => void exits.push(r),
  };
  const start = () =>
    spawnWorkerProcess(
      (stdio) => ({ command: 'pipedai-worker', args: ['run'], options: { stdio } }),
      { spawn, killer, log, capture },
      handlers,
    );
  return { calls, exits, spawned, lines, log, capture, killer, handlers, start };
}

describe('a spawned worker process', () => {
  it('hands the child its output files, follows them once it runs, and reports its exit once', () => {
    const w = world();
    const p = w.start();
    expect(p).toMatchObject({ pid: 4242, adopted: false });
    expect(w.spawned[0]?.stdio).toEqual(['ignore', 11, 12]);
    // The daemon's copies of the files are closed once the child holds its own.
    expect(w.calls).toEqual(['open', 'spawn pipedai-worker run', 'release']);
    const child = w.spawned[0]?.child as FakeChild;
    child.emit('spawn');
    expect(w.calls.slice(3)).toEqual(['follow', 'onSpawn 4242']);
    p.terminate();
    expect(w.calls.at(-1)).toBe('terminate 4242');
    child.emit('error', new Error('kill EPERM')); // a failed signal after the spawn: not an exit
    expect(w.exits).toEqual([]);
    child.emit('exit', 0, null);
    // The rest of its group goes, what it wrote is read, then the exit is told.
    expect(w.calls.slice(-2)).toEqual(['killGroup 4242', 'finish']);
    expect(w.exits).toEqual([{ code: 0, signal: null }]);
    child.emit('exit', 1, null);
    expect(w.exits).toHaveLength(1);
    const before = w.calls.length;
    p.terminate();
    expect(w.calls).toHaveLength(before); // nothing is signalled once it is gone
  });

  it('kills its tree by pid; without a pid, the child itself; once gone, nothing', async () => {
    const w = world();
    const p = w.start();
    await p.kill();
    expect(w.calls.at(-1)).toBe('killTree 4242');
    w.spawned[0]?.child.emit('exit', null, 'SIGKILL');
    const before = w.calls.length;
    await p.kill();
    expect(w.calls).toHaveLength(before);

    const nopid = world({ pid: undefined });
    const q = nopid.start();
    expect(q.pid).toBeNull();
    await q.kill();
    expect(nopid.spawned[0]?.child.kills).toEqual(['SIGKILL']);
    q.terminate();
    expect(nopid.calls.some((c) => c.startsWith('terminate'))).toBe(false);
    nopid.spawned[0]?.child.emit('exit', null, 'SIGKILL');
    expect(nopid.calls.some((c) => c.startsWith('killGroup'))).toBe(false);
  });

  it('a spawn that fails (error before it ran) is an exit, and the log says why', () => {
    const w = world();
    w.start();
    w.spawned[0]?.child.emit('error', new Error('spawn pipedai-worker ENOENT'));
    expect(w.exits).toEqual([{ code: null, signal: null }]);
    expect(w.lines).toEqual([
      '[orchestrator] could not start the worker: spawn pipedai-worker ENOENT',
    ]);
    w.spawned[0]?.child.emit('exit', -2, null);
    expect(w.exits).toHaveLength(1);
  });

  it('a spawn that throws is an exit told after the caller has its handle, with nothing to signal', async () => {
    const w = world({ spawnThrows: new Error('spawn EINVAL') });
    const p = w.start();
    expect(p).toMatchObject({ pid: null, adopted: false });
    expect(w.calls).toEqual(['open', 'spawn pipedai-worker run', 'release']);
    expect(w.exits).toEqual([]);
    await Promise.resolve();
    expect(w.exits).toEqual([{ code: null, signal: null }]);
    expect(w.lines).toEqual(['[orchestrator] could not start the worker: spawn EINVAL']);
    p.terminate();
    p.release();
    await expect(p.kill()).resolves.toBeUndefined();
    expect(w.calls).toHaveLength(3);
  });

  it('output files that cannot be opened do not keep the worker from running: its output goes uncaptured', () => {
    const w = world({ openFails: new Error('EACCES: permission denied') });
    w.start();
    expect(w.spawned[0]?.stdio).toEqual(['ignore', 'ignore', 'ignore']);
    expect(w.lines).toEqual([
      "[orchestrator] cannot open the worker's output files (EACCES: permission denied); this process's output is not captured",
    ]);
  });

  it('released for the next daemon: no longer watched, and no longer holding the event loop', () => {
    const w = world();
    const p = w.start();
    const child = w.spawned[0]?.child as FakeChild;
    child.emit('spawn');
    p.release();
    expect(child.unrefs).toBe(1);
    child.emit('exit', 0, null);
    expect(w.exits).toEqual([]);
    expect(w.calls).not.toContain('finish');
  });
});

describe('an adopted worker process', () => {
  /** `alive` sees what the process told its collaborators so far. */
  function adopted(
    alive: (calls: readonly string[]) => Promise<boolean>,
    startTime = async () => 'start-1',
  ) {
    const w = world();
    const probed: string[] = [];
    const probe: ProcessProbe = {
      isAlive: async () => (probed.push('alive'), alive(w.calls)),
      startTime: async () => (probed.push('start'), startTime()),
      environ: async () => null,
      commandLine: async () => null,
    };
    const p = adoptWorkerProcess(
      { pid: 77, startTime: 'start-1' },
      { probe, killer: w.killer, pollMs: 1000, capture: w.capture },
      w.handlers,
    );
    return { ...w, p, probed };
  }

  it('follows its files at once and notices its end by polling', async () => {
    vi.useFakeTimers();
    let alive = true;
    const a = adopted(async () => alive);
    expect(a.p).toMatchObject({ pid: 77, adopted: true });
    expect(a.calls).toEqual(['follow']);
    await vi.advanceTimersByTimeAsync(999);
    expect(a.probed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.probed).toEqual(['alive', 'start']);
    await vi.advanceTimersByTimeAsync(3000);
    expect(a.exits).toEqual([]);
    alive = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.calls).toEqual(['follow', 'finish']);
    expect(a.exits).toEqual([{ code: null, signal: null }]);
    const probes = a.probed.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(a.probed).toHaveLength(probes); // no more polling
    a.p.terminate();
    await a.p.kill();
    expect(a.calls).toEqual(['follow', 'finish']); // gone: never signalled, not even probed
    expect(a.probed).toHaveLength(probes);
  });

  it('its pid naming another process (another start time) is its end', async () => {
    vi.useFakeTimers();
    const a = adopted(
      async () => true,
      async () => 'start-2',
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.exits).toEqual([{ code: null, signal: null }]);
  });

  it('a probe that fails proves nothing: it looks again', async () => {
    vi.useFakeTimers();
    let fail = true;
    const a = adopted(async () => {
      if (fail) throw new Error('EMFILE');
      return false;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.exits).toEqual([]);
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.exits).toEqual([{ code: null, signal: null }]);
  });

  it('terminates by pid; kills its tree only while the pid still names it, and sees the end at once', async () => {
    vi.useFakeTimers();
    // Alive until its tree is killed.
    const a = adopted(async (calls) => !calls.includes('killTree 77'));
    a.p.terminate();
    expect(a.calls.at(-1)).toBe('terminate 77');
    await a.p.kill();
    expect(a.calls.at(-1)).toBe('killTree 77');
    // The kill looks again at once rather than at the next poll, whose timer goes.
    await vi.advanceTimersByTimeAsync(0);
    expect(a.exits).toEqual([{ code: null, signal: null }]);
    const probes = a.probed.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(a.probed).toHaveLength(probes);
  });

  it('released while a poll is looking: its answer reports no end', async () => {
    vi.useFakeTimers();
    let answer: (alive: boolean) => void = () => undefined;
    const a = adopted(() => new Promise<boolean>((r) => (answer = r)));
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.probed).toEqual(['alive']);
    a.p.release();
    answer(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(a.exits).toEqual([]);
    expect(a.calls).toEqual(['follow']);
  });

  it('watching it never keeps the daemon alive', () => {
    const keepingAlive = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout');
    const before = keepingAlive();
    const a = adopted(async () => true);
    expect(keepingAlive()).toEqual(before);
    a.p.release();
  });

  it('a kill once the pid names a stranger kills nothing, and reports the end', async () => {
    vi.useFakeTimers();
    const a = adopted(
      async () => true,
      async () => 'someone else',
    );
    await a.p.kill();
    await vi.advanceTimersByTimeAsync(0);
    expect(a.calls.some((c) => c.startsWith('killTree'))).toBe(false);
    expect(a.exits).toEqual([{ code: null, signal: null }]);
  });

  it('released for the next daemon: no more polling, signalling or exit', async () => {
    vi.useFakeTimers();
    const a = adopted(async () => false);
    a.p.release();
    await vi.advanceTimersByTimeAsync(5000);
    expect(a.probed).toEqual([]);
    a.p.terminate();
    await a.p.kill();
    expect(a.calls).toEqual(['follow']);
    expect(a.exits).toEqual([]);
  });
});
