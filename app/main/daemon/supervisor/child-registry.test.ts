import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildRecord } from '../../../shared/index.ts';
import { childRegistryFile, createChildRegistry, isRecordedProcess } from './child-registry.ts';
import { makeSandbox, memoryRegistry, strayWorker, type Sandbox } from './test-support.ts';
import { systemProcessProbe, type GroupLeader, type ProcessProbe } from './process-probe.ts';
import { INSTANCE_TAG, REGISTRY_TAG, WORKER_ID_TAG } from './spawn.ts';

let sandbox: Sandbox | null = null;
afterEach(async () => {
  await sandbox?.cleanup();
  sandbox = null;
});

const probe = systemProcessProbe('linux');

function registryIn(sb: Sandbox, errors: unknown[] = []) {
  const store = childRegistryFile(sb.paths.children);
  const book = createChildRegistry({
    store,
    probe,
    platform: 'linux',
    instanceId: 'inst-now',
    registryTag: sb.paths.children,
    now: () => 1234,
    onError: (e) => errors.push(e),
  });
  return { store, book };
}

describe('child registry', () => {
  it('records a spawned child with its start time and forgets it on exit', async () => {
    const sb = (sandbox = await makeSandbox());
    const config = await sb.config('w1');
    const { record } = await strayWorker(sb, {
      workerId: 'w1',
      configPath: config,
      instanceId: 'inst-now',
    });
    const errors: unknown[] = [];
    const { store, book } = registryIn(sb, errors);
    book.add({ workerId: 'w1', pid: record.pid, configPath: config });
    book.remove(record.pid); // issued at once: must still land after the add
    book.add({ workerId: 'w1', pid: record.pid, configPath: config });
    await book.idle();
    expect((await store.read()).children).toEqual([
      { ...record, instanceId: 'inst-now', spawnedAt: 1234 },
    ]);
    book.remove(record.pid);
    await book.idle();
    expect((await store.read()).children).toEqual([]);
    expect(errors).toEqual([]);
    const raw = await readFile(sb.paths.children, 'utf8');
    expect(JSON.parse(raw)).toEqual({ version: 1, children: [] });
  });

  it('recovers only records that still name our process; drops the rest from the file', async () => {
    const sb = (sandbox = await makeSandbox());
    const [c1, c2, c3] = await Promise.all([
      sb.config('live'),
      sb.config('dead'),
      sb.config('untagged'),
    ]);
    const live = await strayWorker(sb, { workerId: 'live', configPath: c1, instanceId: 'old' });
    const dead = await strayWorker(sb, { workerId: 'dead', configPath: c2, instanceId: 'old' });
    const untagged = await strayWorker(sb, {
      workerId: 'untagged',
      configPath: c3,
      instanceId: 'old',
      tagged: false,
    });
    const exited = new Promise((r) => dead.child.once('exit', r));
    dead.child.kill('SIGKILL');
    await exited;
    // The pid now names another process: everything recorded matches (our worker's own tags
    // included) but the start time. Only the start time tells them apart.
    const reused: ChildRecord = { ...live.record, startTime: '1' };
    const otherInstance: ChildRecord = {
      ...live.record,
      workerId: 'live',
      instanceId: 'someone-else',
    };

    const { store, book } = registryIn(sb);
    await store.write({
      version: 1,
      children: [live.record, dead.record, untagged.record, reused, otherInstance],
    });
    const { live: kept, dropped } = await book.recover();
    expect(kept).toEqual([live.record]);
    expect(dropped).toEqual([dead.record, untagged.record, reused, otherInstance]);
    expect((await store.read()).children).toEqual([live.record]);
    expect(await isRecordedProcess(live.record, probe, 'linux')).toBe(true);
    expect(await isRecordedProcess(reused, probe, 'linux')).toBe(false);
  });

  it('finds a tagged worker that a daemon killed before recording it left running (Linux)', async () => {
    const sb = (sandbox = await makeSandbox());
    const [c1, c2, c3] = await Promise.all([
      sb.config('lost'),
      sb.config('other'),
      sb.config('old'),
    ]);
    const lost = await strayWorker(sb, {
      workerId: 'lost',
      configPath: c1,
      instanceId: 'dead-daemon',
      registry: sb.paths.children,
    });
    // Another home's worker, and one spawned before workers carried the registry tag.
    await strayWorker(sb, {
      workerId: 'other',
      configPath: c2,
      instanceId: 'x',
      registry: '/elsewhere',
    });
    await strayWorker(sb, { workerId: 'old', configPath: c3, instanceId: 'dead-daemon' });
    const { store, book } = registryIn(sb);
    const { live } = await book.recover();
    const found = { ...lost.record, spawnedAt: 1234 };
    expect(live).toEqual([found]);
    expect((await store.read()).children).toEqual([found]);
  });

  it('takes from the group leaders only tagged `run --config` processes not yet recorded', async () => {
    const env = (id: string | null, inst: string | null, registry: string): string[] => [
      'PATH=/bin',
      ...(id === null ? [] : [`${WORKER_ID_TAG}=${id}`]),
      ...(inst === null ? [] : [`${INSTANCE_TAG}=${inst}`]),
      `${REGISTRY_TAG}=${registry}`,
    ];
    const run = (config: string): string[] => [
      'node',
      '/bin/pipedai-worker',
      'run',
      '--config',
      config,
    ];
    const leaders: GroupLeader[] = [
      { pid: 10, environ: env('w1', 'i1', '/home/children.json'), argv: run('/c/w1.json') },
      { pid: 11, environ: env('w2', 'i1', '/other/children.json'), argv: run('/c/w2.json') },
      { pid: 12, environ: env('w3', null, '/home/children.json'), argv: run('/c/w3.json') },
      { pid: 13, environ: env('w4', 'i1', '/home/children.json'), argv: ['node', '-e', 'x'] },
      { pid: 14, environ: env('w5', 'i1', '/home/children.json'), argv: run('/c/w5.json') },
    ];
    const recorded: ChildRecord = {
      workerId: 'w5',
      pid: 14,
      startTime: 's14',
      configPath: '/c/w5.json',
      instanceId: 'i1',
      spawnedAt: 1,
    };
    const fake: ProcessProbe = {
      isAlive: async () => true,
      startTime: async (pid) => `s${pid}`,
      environ: async (pid) => leaders.find((l) => l.pid === pid)?.environ ?? null,
      commandLine: async () => null,
      groupLeaders: async () => leaders,
    };
    const store = memoryRegistry([recorded]);
    const deps = {
      store,
      probe: fake,
      platform: 'linux' as const,
      instanceId: 'now',
      now: () => 7,
    };
    const book = createChildRegistry({
      ...deps,
      onError: () => undefined,
      registryTag: '/home/children.json',
    });
    const w1: ChildRecord = {
      workerId: 'w1',
      pid: 10,
      startTime: 's10',
      configPath: '/c/w1.json',
      instanceId: 'i1',
      spawnedAt: 7,
    };
    expect((await book.recover()).live).toEqual([recorded, w1]);
    expect(store.children()).toEqual([recorded, w1]);
    // Where environments cannot be listed (macOS, Windows), the records are all there is.
    expect(systemProcessProbe('darwin').groupLeaders).toBeUndefined();
    expect(systemProcessProbe('win32').groupLeaders).toBeUndefined();
  });

  it('falls back to the command line, then to the start time alone where the OS shows neither', async () => {
    const rec: ChildRecord = {
      workerId: 'w1',
      pid: 4242,
      startTime: 't',
      configPath: 'C:\\Users\\First Last\\w1.json',
      instanceId: 'i',
      spawnedAt: 0,
    };
    const fake = (commandLine: string | null): ProcessProbe => ({
      isAlive: async () => true,
      startTime: async () => 't',
      environ: async () => null,
      commandLine: async () => commandLine,
    });
    expect(
      await isRecordedProcess(
        rec,
        fake('node w run --config C:\\Users\\First Last\\w1.json'),
        'linux',
      ),
    ).toBe(true);
    expect(await isRecordedProcess(rec, fake('node something-else'), 'darwin')).toBe(false);
    expect(await isRecordedProcess(rec, fake(null), 'linux')).toBe(false);
    expect(await isRecordedProcess(rec, fake(null), 'win32')).toBe(true);
    const stale: ProcessProbe = { ...fake(null), startTime: async () => 'other' };
    expect(await isRecordedProcess(rec, stale, 'win32')).toBe(false);
  });
});
