import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildRecord } from '../../../shared/index.ts';
import { childRegistryFile, createChildRegistry, isRecordedProcess } from './child-registry.ts';
import { makeSandbox, strayWorker, type Sandbox } from './fixtures/harness.ts';
import { systemProcessProbe, type ProcessProbe } from './process-probe.ts';

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
    const reused: ChildRecord = { ...live.record, workerId: 'reused', startTime: '1' };
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
    expect(dropped.map((r) => r.workerId)).toEqual(['dead', 'untagged', 'reused', 'live']);
    expect((await store.read()).children).toEqual([live.record]);
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
