// The child registry against a probe that says what a test wants: which records prove to be our
// worker process, which group leaders are ours, and what is written.
import { describe, expect, it } from 'vitest';
import type { ChildRecord } from '../../../shared/index.ts';
import { createChildRegistry, isRecordedProcess } from './child-registry.ts';
import type { GroupLeader, ProcessProbe } from './process-probe.ts';
import { INSTANCE_TAG, REGISTRY_TAG, WORKER_ID_TAG } from './spawn.ts';
import { memoryRegistry } from './test-support.ts';

const rec = (o: Partial<ChildRecord> = {}): ChildRecord => ({
  workerId: 'w1',
  pid: 501,
  startTime: 'start-1',
  configPath: '/home/a/w1.json',
  instanceId: 'inst-old',
  spawnedAt: 1,
  ...o,
});
const tags = (workerId = 'w1', instanceId = 'inst-old'): string[] => [
  'PATH=/usr/bin',
  `${WORKER_ID_TAG}=${workerId}`,
  `${INSTANCE_TAG}=${instanceId}`,
];
const probe = (o: Partial<ProcessProbe> = {}): ProcessProbe => ({
  isAlive: async () => true,
  startTime: async () => 'start-1',
  environ: async () => tags(),
  commandLine: async () => null,
  ...o,
});

describe('isRecordedProcess', () => {
  it('proves a record by liveness, then start time, then our two tags in its environment', async () => {
    expect(await isRecordedProcess(rec(), probe(), 'linux')).toBe(true);
    expect(await isRecordedProcess(rec(), probe({ isAlive: async () => false }), 'linux')).toBe(
      false,
    );
    // The pid reused by another process: same tags (a copy of ours), another start time.
    expect(
      await isRecordedProcess(rec(), probe({ startTime: async () => 'start-2' }), 'linux'),
    ).toBe(false);
    expect(
      await isRecordedProcess(rec(), probe({ environ: async () => tags('w2') }), 'linux'),
    ).toBe(false);
    expect(
      await isRecordedProcess(rec(), probe({ environ: async () => tags('w1', 'inst-x') }), 'linux'),
    ).toBe(false);
  });

  it('without an environment: the command line must hold its config; without either, only off Linux', async () => {
    const noEnv = (commandLine: string | null) =>
      probe({ environ: async () => null, commandLine: async () => commandLine });
    expect(await isRecordedProcess(rec(), noEnv('w run --config /home/a/w1.json'), 'linux')).toBe(
      true,
    );
    expect(await isRecordedProcess(rec(), noEnv('w run --config /other.json'), 'darwin')).toBe(
      false,
    );
    expect(await isRecordedProcess(rec(), noEnv(null), 'linux')).toBe(false);
    expect(await isRecordedProcess(rec(), noEnv(null), 'win32')).toBe(true);
    expect(await isRecordedProcess(rec(), noEnv(null), 'darwin')).toBe(true);
  });
});

function registry(o: {
  children?: ChildRecord[];
  probe?: ProcessProbe;
  registryTag?: string;
  failWrites?: boolean;
}) {
  const store = memoryRegistry(o.children ?? []);
  let updates = 0;
  const errors: unknown[] = [];
  const book = createChildRegistry({
    store: {
      read: store.read,
      update: (fn) => {
        updates++;
        return o.failWrites ? Promise.reject(new Error('EROFS')) : store.update(fn);
      },
    },
    probe: o.probe ?? probe(),
    platform: 'linux',
    instanceId: 'inst-now',
    ...(o.registryTag !== undefined ? { registryTag: o.registryTag } : {}),
    now: () => 1234,
    onError: (e) => errors.push(e),
  });
  return { book, store, errors, updates: () => updates };
}

const leader = (pid: number, o: { env?: string[]; argv?: string[] } = {}): GroupLeader => ({
  pid,
  environ: o.env ?? [...tags('w9', 'inst-old'), `${REGISTRY_TAG}=/home/a/children.json`],
  argv: o.argv ?? ['node', 'pipedai-worker', 'run', '--config', '/home/a/w9.json'],
});

describe('child registry recovery', () => {
  it('keeps the proven records, drops the others (a failed probe proves nothing) from the file', async () => {
    const dead = rec({ pid: 502 });
    const unsure = rec({ pid: 503 });
    const r = registry({
      children: [rec(), dead, unsure],
      probe: probe({
        isAlive: async (pid) => {
          if (pid === 503) throw new Error('EACCES');
          return pid === 501;
        },
      }),
    });
    expect(await r.book.recover()).toEqual({ live: [rec()], dropped: [dead, unsure] });
    expect(r.store.children()).toEqual([rec()]);
  });

  it('writes nothing when every record holds and nothing was found', async () => {
    const r = registry({ children: [rec()], registryTag: '/home/a/children.json' });
    await r.book.recover();
    expect(r.updates()).toBe(0);
  });

  it("adds the unrecorded group leaders tagged with this registry that run a worker's config", async () => {
    const leaders = [
      leader(501), // recorded already
      leader(601),
      leader(602, { env: [...tags('w9'), `${REGISTRY_TAG}=/elsewhere/children.json`] }),
      leader(603, { env: tags('w9') }), // no registry tag: an older daemon's, or not ours
      leader(604, { argv: ['node', 'pipedai-worker', 'run'] }),
      leader(605, { argv: ['node', 'pipedai-worker', 'serve', '--config', '/home/a/w9.json'] }),
      leader(606, { env: [`${INSTANCE_TAG}=inst-old`, `${REGISTRY_TAG}=/home/a/children.json`] }),
      leader(607, { env: [`${WORKER_ID_TAG}=w9`, `${REGISTRY_TAG}=/home/a/children.json`] }),
      leader(608), // gone before its start time was read
    ];
    const r = registry({
      children: [rec()],
      registryTag: '/home/a/children.json',
      probe: {
        ...probe({ startTime: async (pid) => (pid === 608 ? null : 'start-1') }),
        groupLeaders: async () => leaders,
      },
    });
    const found = {
      workerId: 'w9',
      pid: 601,
      startTime: 'start-1',
      configPath: '/home/a/w9.json',
      instanceId: 'inst-old',
      spawnedAt: 1234,
    };
    expect(await r.book.recover()).toEqual({ live: [rec(), found], dropped: [] });
    expect(r.store.children()).toEqual([rec(), found]);
  });

  it('looks for group leaders only with a registry tag, and a failed search finds none', async () => {
    let asked = 0;
    const groupLeaders = async (): Promise<GroupLeader[]> => (asked++, [leader(601)]);
    const untagged = registry({ probe: { ...probe(), groupLeaders } });
    expect(await untagged.book.recover()).toEqual({ live: [], dropped: [] });
    expect(asked).toBe(0);
    const failing = registry({
      registryTag: '/home/a/children.json',
      probe: { ...probe(), groupLeaders: () => Promise.reject(new Error('EACCES')) },
    });
    expect(await failing.book.recover()).toEqual({ live: [], dropped: [] });
  });
});

describe('child registry records', () => {
  it('records a child with its start time, this instance and the time; forgets it by pid', async () => {
    const r = registry({ children: [rec({ pid: 700, workerId: 'w7' })] });
    r.book.add({ workerId: 'w1', pid: 501, configPath: '/home/a/w1.json' });
    await r.book.idle();
    expect(r.store.children()).toEqual([
      rec({ pid: 700, workerId: 'w7' }),
      rec({ instanceId: 'inst-now', spawnedAt: 1234 }),
    ]);
    const before = r.store.children();
    r.book.remove(999); // not recorded: the registry is left as it is
    await r.book.idle();
    expect(r.store.children()).toBe(before);
    r.book.remove(501);
    await r.book.idle();
    expect(r.store.children()).toEqual([rec({ pid: 700, workerId: 'w7' })]);
  });

  it('a child gone before its start time was read is not recorded', async () => {
    const r = registry({ probe: probe({ startTime: async () => null }) });
    r.book.add({ workerId: 'w1', pid: 501, configPath: '/home/a/w1.json' });
    await r.book.idle();
    expect(r.updates()).toBe(0);
  });

  it('a write that fails is reported, and the next one is still made', async () => {
    const r = registry({ failWrites: true });
    r.book.add({ workerId: 'w1', pid: 501, configPath: '/home/a/w1.json' });
    r.book.remove(501);
    await r.book.idle();
    expect(r.errors).toEqual([new Error('EROFS'), new Error('EROFS')]);
    expect(r.updates()).toBe(2);
  });
});
