// The supervisor with stand-in children (no process starts): its verbs on unknown ids, one
// process per config path, recovery, the hand-off to the next daemon and what it hands the
// capture hub.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChildRecord } from '../../../shared/index.ts';
import { pathsFor } from '../paths.ts';
import { backoffPolicy } from './backoff.ts';
import { FakeChild, injectedSupervisor } from './fixtures/fake-children.ts';
import { createWorkerLog } from './logs/index.ts';
import type { Supervisor } from './supervisor.ts';
import { createSupervisor } from './supervisor.ts';
import { entry, memoryRegistry, waitFor } from './test-support.ts';

const supervisors: Supervisor[] = [];
const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  // Stand-in children never exit by themselves: hand them off rather than wait for them.
  await Promise.all(supervisors.splice(0).map((s) => s.detach()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function made(o: Parameters<typeof injectedSupervisor>[0] = { platform: 'linux' }) {
  const m = injectedSupervisor(o);
  supervisors.push(m.supervisor);
  return m;
}

const envOf = (options: { env?: NodeJS.ProcessEnv }): NodeJS.ProcessEnv => options.env ?? {};

describe('supervisor verbs', () => {
  it('a listener that throws breaks no transition: the error goes to onError', async () => {
    const errors: unknown[] = [];
    const { supervisor, spawned } = made({
      platform: 'linux',
      options: { onError: (e) => errors.push(e) },
    });
    const boom = new Error('listener bug');
    supervisor.events.on('state', () => {
      throw boom;
    });
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    spawned[0]?.child.emit('spawn');
    expect(supervisor.status('w1')?.state).toBe('running');
    expect(errors).toEqual([boom, boom]);
  });

  it('an id no reconcile created: start is not-found, stop and restart have nothing to do', async () => {
    const { supervisor } = made();
    expect(() => supervisor.start('nope')).toThrow(
      expect.objectContaining({ code: 'not-found', message: 'no supervised worker nope' }),
    );
    await expect(supervisor.stop('nope')).resolves.toBeUndefined();
    await expect(supervisor.restart('nope')).resolves.toBeUndefined();
    expect(supervisor.status('nope')).toBeNull();
    expect(supervisor.logs('nope')).toEqual([]);
  });

  it('one process per config path: a new entry waits for the retiring one, and start says why', async () => {
    const { supervisor, spawned } = made({ platform: 'linux', options: { drainCeilingMs: null } });
    await supervisor.reconcile([entry('a', '/w.json')]);
    spawned[0]?.child.emit('spawn');
    // a is dropped, b takes its config: a drains; the reconcile does not wait for it.
    await supervisor.reconcile([entry('b', '/w.json')], { waitForStops: false });
    expect(supervisor.status('a')).toMatchObject({ state: 'running', draining: true });
    expect(supervisor.status('b')?.state).toBe('stopped');
    expect(() => supervisor.start('b')).toThrow(
      expect.objectContaining({ code: 'conflict', message: 'another worker still runs /w.json' }),
    );
    expect(spawned).toHaveLength(1);
    spawned[0]?.child.end(0, null);
    await waitFor('b to start', () => spawned.length === 2);
    expect(envOf(spawned[1]?.options ?? {}).PIPEDAI_ORCHESTRATOR_WORKER_ID).toBe('b');
    await waitFor('a to go', () => supervisor.status('a') === null);
  });

  it('a stop issued meanwhile takes a waiting entry off the wait', async () => {
    const { supervisor, spawned } = made({ platform: 'linux', options: { drainCeilingMs: null } });
    await supervisor.reconcile([entry('a', '/w.json')]);
    spawned[0]?.child.emit('spawn');
    await supervisor.reconcile([entry('b', '/w.json')], { waitForStops: false });
    await supervisor.stop('b');
    spawned[0]?.child.end(0, null);
    await waitFor('a to go', () => supervisor.status('a') === null);
    expect(spawned).toHaveLength(1);
  });
});

describe('supervisor reconcile', () => {
  it('records a child once it spawned and forgets it at its exit; lists workers and their logs', async () => {
    const { supervisor, spawned, registry } = made();
    await supervisor.reconcile([entry('w1', '/w1.json'), entry('w2', '/w2.json', 'disabled')]);
    expect(spawned).toHaveLength(1);
    expect(supervisor.statuses().map((s) => [s.id, s.state])).toEqual([
      ['w1', 'starting'],
      ['w2', 'stopped'],
    ]);
    spawned[0]?.child.emit('spawn');
    await waitFor('the record', () => registry.children().length === 1);
    expect(registry.children()[0]).toMatchObject({
      workerId: 'w1',
      pid: 4242,
      configPath: '/w1.json',
    });
    spawned[0]?.child.end(3, null);
    await waitFor('the record gone', () => registry.children().length === 0);
    expect(supervisor.logs('w1', 5)).toEqual([]);
    expect(supervisor.status('w1')).toMatchObject({ state: 'backing-off', lastExit: { code: 3 } });
  });

  it('a dropped worker goes once its process is gone, its log closed', async () => {
    const closedLogs: string[] = [];
    const { supervisor, spawned } = made({
      platform: 'linux',
      options: {
        createLog: (workerId) => ({
          ...createWorkerLog({ workerId, file: null }),
          close: async () => void closedLogs.push(workerId),
        }),
      },
    });
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    spawned[0]?.child.emit('spawn');
    const dropping = supervisor.reconcile([]);
    await waitFor('the drain', () => supervisor.status('w1')?.draining);
    spawned[0]?.child.end(0, null);
    await dropping;
    expect(supervisor.status('w1')).toBeNull();
    expect(supervisor.statuses()).toEqual([]);
    expect(closedLogs).toEqual(['w1']);
  });

  it('dropped, then listed again while it drains: it stays, and runs again after the drain', async () => {
    const { supervisor, spawned } = made({ platform: 'linux', options: { drainCeilingMs: null } });
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    spawned[0]?.child.emit('spawn');
    await supervisor.reconcile([], { waitForStops: false });
    await supervisor.reconcile([entry('w1', '/w1.json')], { waitForStops: false });
    spawned[0]?.child.end(0, null);
    await waitFor('the new process', () => spawned.length === 2);
    expect(supervisor.status('w1')?.state).toBe('starting');
  });

  it('dropped, then listed again as disabled while it drains: it stays, stopped', async () => {
    const { supervisor, spawned } = made({ platform: 'linux', options: { drainCeilingMs: null } });
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    spawned[0]?.child.emit('spawn');
    await supervisor.reconcile([], { waitForStops: false });
    const listed = supervisor.reconcile([entry('w1', '/w1.json', 'disabled')]);
    spawned[0]?.child.end(0, null);
    await listed;
    await new Promise((r) => setImmediate(r));
    expect(supervisor.status('w1')?.state).toBe('stopped');
  });

  it('an entry waiting for a config path that is disabled meanwhile does not start when it frees', async () => {
    const { supervisor, spawned } = made({ platform: 'linux', options: { drainCeilingMs: null } });
    await supervisor.reconcile([entry('a', '/w.json')]);
    spawned[0]?.child.emit('spawn');
    await supervisor.reconcile([entry('b', '/w.json')], { waitForStops: false });
    await supervisor.reconcile([entry('b', '/w.json', 'disabled')], { waitForStops: false });
    spawned[0]?.child.end(0, null);
    await waitFor('a to go', () => supervisor.status('a') === null);
    expect(spawned).toHaveLength(1);
  });

  it('an entry that waited and then started is not started again by a later transition', async () => {
    const { supervisor, spawned } = made({
      platform: 'linux',
      distinctPids: true,
      options: { drainCeilingMs: null, backoff: backoffPolicy({ maxRestarts: 0 }) },
    });
    await supervisor.reconcile([entry('a', '/w.json')]);
    spawned[0]?.child.emit('spawn');
    await supervisor.reconcile([entry('b', '/w.json')], { waitForStops: false });
    spawned[0]?.child.end(0, null);
    await waitFor('b to start', () => spawned.length === 2);
    spawned[1]?.child.emit('spawn');
    spawned[1]?.child.end(1, null); // maxRestarts 0: crashed for good
    await new Promise((r) => setImmediate(r));
    expect(supervisor.status('b')?.state).toBe('crashed');
    expect(spawned).toHaveLength(2);
  });

  it('a worker without a runtime waits in needs-runtime, asked again at every reconcile', async () => {
    let problem: string | null = 'no worker runtime is installed';
    const { supervisor, spawned } = made({
      platform: 'linux',
      options: {
        plan: () =>
          problem === null
            ? { command: '/rt/node', args: ['/rt/worker.js'], env: {}, direct: true }
            : { problem },
      },
    });
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    expect(supervisor.status('w1')?.state).toBe('needs-runtime');
    expect(supervisor.logs('w1').map((l) => l.line)).toEqual([
      '[orchestrator] cannot start: no worker runtime is installed',
    ]);
    problem = null;
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    expect(spawned.map((s) => [s.command, ...s.args])).toEqual([
      ['/rt/node', '/rt/worker.js', 'run', '--config', '/w1.json'],
    ]);
  });

  it('once closing, a worker that ends starts none that waited for its config path', async () => {
    const { supervisor, spawned } = made({ platform: 'linux', options: { drainCeilingMs: null } });
    await supervisor.reconcile([entry('a', '/w.json')]);
    spawned[0]?.child.emit('spawn');
    await supervisor.reconcile([entry('a', '/w.json', 'disabled'), entry('b', '/w.json')], {
      waitForStops: false,
    });
    const closing = supervisor.close();
    spawned[0]?.child.end(0, null);
    await closing;
    expect(spawned).toHaveLength(1);
  });
});

describe('supervisor recovery', () => {
  const record = (pid: number): ChildRecord => ({
    workerId: 'w1',
    pid,
    startTime: 'start-1',
    configPath: '/w1.json',
    instanceId: 'old',
    spawnedAt: 1000,
  });
  const ours = {
    isAlive: async () => true,
    startTime: async () => 'start-1',
    environ: async () => ['PIPEDAI_ORCHESTRATOR_WORKER_ID=w1', 'PIPEDAI_ORCHESTRATOR_INSTANCE=old'],
    commandLine: async () => null,
  };

  it('adopts one proven process per worker and kills a second one', async () => {
    const registry = memoryRegistry([record(501), record(502)]);
    const { supervisor, calls, spawned } = made({
      platform: 'linux',
      options: { registry, probe: ours },
    });
    const report = await supervisor.recover();
    expect(report).toEqual({
      adopted: [{ workerId: 'w1', pid: 501 }],
      dropped: [],
      killed: [{ workerId: 'w1', pid: 502 }],
    });
    expect(calls).toEqual([
      ['treeKill', 502, 'SIGKILL'],
      ['signal', -502, 'SIGKILL'],
    ]);
    await waitFor('the record removed', () => registry.children().length === 1);
    expect(registry.children()[0]?.pid).toBe(501);
    expect(supervisor.status('w1')).toMatchObject({ state: 'running', pid: 501, adopted: true });
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    expect(spawned).toHaveLength(0);
  });

  it('watches an adopted process every adoptPollMs (default 1 s)', async () => {
    for (const [adoptPollMs, expected] of [
      [1234, 1234],
      [undefined, 1000],
    ] as const) {
      const poll = vi.spyOn(globalThis, 'setTimeout');
      const { supervisor } = made({
        platform: 'linux',
        options: {
          registry: memoryRegistry([record(501)]),
          probe: ours,
          ...(adoptPollMs ? { adoptPollMs } : {}),
        },
      });
      await supervisor.recover();
      expect(poll).toHaveBeenCalledWith(expect.any(Function), expected);
      poll.mockRestore();
    }
  });

  it('a recovery that failed (children.json unreadable) is tried again by the next reconcile', async () => {
    const registry = memoryRegistry();
    let fail = true;
    const { supervisor, spawned } = made({
      platform: 'linux',
      options: {
        registry: {
          read: () => (fail ? Promise.reject(new Error('EIO')) : registry.read()),
          update: (fn) => registry.update(fn),
        },
      },
    });
    await expect(supervisor.reconcile([entry('w1', '/w1.json')])).rejects.toThrow('EIO');
    fail = false;
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    expect(spawned).toHaveLength(1);
  });
});

describe('supervisor on Windows', () => {
  it('asks whether a draining worker is idle every idlePollMs (default 2 s)', async () => {
    for (const [idlePollMs, expected] of [
      [25, 25],
      [undefined, 2000],
    ] as const) {
      const poll = vi.spyOn(globalThis, 'setTimeout');
      const asked: string[] = [];
      const { supervisor, spawned } = made({
        platform: 'win32',
        options: {
          isIdle: async (id) => (asked.push(id), false),
          drainCeilingMs: null,
          ...(idlePollMs ? { idlePollMs } : { idlePollMs: undefined }),
        },
      });
      await supervisor.reconcile([entry('w1', '/w1.json')]);
      spawned[0]?.child.emit('spawn');
      void supervisor.stop('w1');
      await waitFor('the first question', () => asked.length === 1);
      await waitFor('the next one scheduled', () => poll.mock.calls.some((c) => c[1] === expected));
      poll.mockRestore();
      spawned[0]?.child.end(0, null);
    }
  });
});

describe('supervisor hand-off and shutdown', () => {
  it('detach leaves every process running and unwatched, and takes no more verbs', async () => {
    const { supervisor, spawned, calls } = made({ platform: 'linux', distinctPids: true });
    await supervisor.reconcile([entry('w1', '/w1.json'), entry('w2', '/w2.json')]);
    for (const s of spawned) s.child.emit('spawn');
    await supervisor.detach();
    expect(calls).toEqual([]);
    expect(spawned.map((s) => s.child.unrefs)).toEqual([1, 1]);
    await expect(supervisor.reconcile([entry('w1', '/w1.json')])).rejects.toMatchObject({
      code: 'unavailable',
    });
    expect(() => supervisor.start('w1')).toThrow(expect.objectContaining({ code: 'unavailable' }));
    await expect(supervisor.restart('w1')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('close stops every worker and takes no more verbs', async () => {
    const { supervisor, spawned } = made();
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    spawned[0]?.child.emit('spawn');
    const closing = supervisor.close();
    spawned[0]?.child.end(0, null);
    await closing;
    expect(supervisor.status('w1')?.state).toBe('stopped');
    expect(() => supervisor.start('w1')).toThrow(expect.objectContaining({ code: 'unavailable' }));
  });

  it('hands the capture hub its poll, limits, hole punch and counters; close stops its poll', async () => {
    const dir = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'supervisor-unit-'));
    dirs.push(dir);
    const setPoll = vi.spyOn(globalThis, 'setInterval');
    const clearPoll = vi.spyOn(globalThis, 'clearInterval');
    const punched: Array<[number, number]> = [];
    const counted: string[] = [];
    const children: FakeChild[] = [];
    const supervisor = createSupervisor({
      paths: pathsFor(dir),
      instanceId: 'inst-1',
      platform: 'linux',
      workerBin: 'pipedai-worker',
      // The child writes 8 KiB to the output file it was handed, then reports its spawn.
      spawn: (_command, _args, options) => {
        const out = (options.stdio as unknown[])[1] as number;
        writeSync(out, Buffer.alloc(8192, 0x61));
        const child = new FakeChild(4242);
        children.push(child);
        return child as unknown as ChildProcess;
      },
      killPrimitives: {
        treeKill: async () => undefined,
        signal: () => undefined,
        runFile: async () => undefined,
      },
      registry: memoryRegistry(),
      createLog: (workerId) => createWorkerLog({ workerId, file: null }),
      capturePollMs: 1234,
      captureLimits: { reclaimBytes: 4096 },
      punchHole: async (_file, offset, length) => void punched.push([offset, length]),
      captureCounters: {
        output: (id, stream, bytes) => void counted.push(`${id} ${stream} ${bytes}`),
        skipped: () => undefined,
      },
    });
    supervisors.push(supervisor);
    expect(setPoll).toHaveBeenCalledWith(expect.any(Function), 1234);
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    children[0]?.emit('spawn');
    await waitFor('the read and the punch', () => punched.length === 1);
    expect(punched).toEqual([[0, 8192]]);
    expect(counted).toEqual(['w1 out 8192']);
    const closing = supervisor.close({ force: true });
    children[0]?.end(null, 'SIGKILL');
    await closing;
    expect(clearPoll).toHaveBeenCalledWith(
      setPoll.mock.results[setPoll.mock.calls.findIndex((c) => c[1] === 1234)]?.value,
    );
  });
});
