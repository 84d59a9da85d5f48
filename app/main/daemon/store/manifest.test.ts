import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../../shared/state.ts';
import { startChild } from './test-support.ts';
import { StateFileError } from './json-file.ts';
import { ManifestStore } from './manifest.ts';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedai-manifest-'));
  path = join(dir, 'orchestrator', 'manifest.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (id: string, over: Partial<ManifestEntry> = {}): ManifestEntry => ({
  id,
  label: `label ${id}`,
  apiUrl: 'https://api.example.test',
  workspaceId: 'ws_1',
  configPath: `/configs/${id}.json`,
  mode: 'workspace',
  desiredState: 'enabled',
  ...over,
});

describe('ManifestStore', () => {
  it('reads a missing file as an empty manifest', async () => {
    const store = new ManifestStore(path);
    expect(await store.list()).toEqual([]);
    expect(await store.get('w1')).toBeNull();
  });

  it('serializes as §4.2: pretty 2-space, no trailing newline, unknown keys stripped', async () => {
    const store = new ManifestStore(path);
    await store.add({ ...entry('w1'), extra: 'dropped' } as ManifestEntry);
    const expected = {
      version: 1,
      workers: [
        {
          id: 'w1',
          label: 'label w1',
          apiUrl: 'https://api.example.test',
          workspaceId: 'ws_1',
          configPath: '/configs/w1.json',
          mode: 'workspace',
          desiredState: 'enabled',
        },
      ],
    };
    expect(await readFile(path, 'utf8')).toBe(JSON.stringify(expected, null, 2));
  });

  it('rejects a duplicate id or configPath, naming the field', async () => {
    const store = new ManifestStore(path);
    await store.add(entry('w1'));
    await expect(store.add(entry('w1', { configPath: '/other.json' }))).rejects.toMatchObject({
      code: 'conflict',
      field: 'id',
      message: 'worker w1 is already in the manifest',
    });
    await expect(store.add(entry('w2', { configPath: '/configs/w1.json' }))).rejects.toMatchObject({
      code: 'conflict',
      field: 'configPath',
      message: 'config /configs/w1.json is already used by worker w1',
    });
    await expect(store.add(entry('w3', { apiUrl: 'not a url' }))).rejects.toMatchObject({
      code: 'bad-request',
      field: 'apiUrl',
    });
    await expect(store.add(entry('..'))).rejects.toMatchObject({
      code: 'bad-request',
      field: 'id',
    });
    expect((await store.list()).map((w) => w.id)).toEqual(['w1']);
  });

  it('updates fields but never the id, and keeps configPath unique', async () => {
    const store = new ManifestStore(path);
    await store.add(entry('w1'));
    await store.add(entry('w2'));
    expect(await store.update('w1', { label: 'renamed' })).toMatchObject({
      id: 'w1',
      label: 'renamed',
    });
    await expect(store.update('w1', { id: 'w9' } as Partial<ManifestEntry>)).rejects.toMatchObject({
      code: 'bad-request',
      field: 'id',
      message: 'the id of worker w1 cannot change',
    });
    // The same id in the patch is no change.
    expect(
      await store.update('w1', { id: 'w1', label: 'same id' } as Partial<ManifestEntry>),
    ).toMatchObject({ id: 'w1', label: 'same id' });
    await expect(store.update('w1', { apiUrl: 'not a url' })).rejects.toMatchObject({
      code: 'bad-request',
      field: 'apiUrl',
      message: expect.stringMatching(/^invalid manifest entry: apiUrl: /) as unknown,
    });
    await expect(store.update('w1', { configPath: '/configs/w2.json' })).rejects.toMatchObject({
      field: 'configPath',
    });
    await expect(store.update('nope', { label: 'x' })).rejects.toMatchObject({
      code: 'not-found',
      field: 'id',
      message: 'no worker nope in the manifest',
    });
    expect(await store.update('w1', { configPath: '/configs/w1.json' })).toMatchObject({
      id: 'w1',
    });
    expect(await store.setDesiredState('w2', 'disabled')).toMatchObject({
      id: 'w2',
      desiredState: 'disabled',
    });
    expect(await store.get('w2')).toMatchObject({ desiredState: 'disabled' });
    expect(await store.get('w1')).toMatchObject({ label: 'same id' });
  });

  it('removes an entry, only that one, and says whether it existed', async () => {
    const store = new ManifestStore(path);
    await store.add(entry('w1'));
    await store.add(entry('w2'));
    expect(await store.remove('w1')).toBe(true);
    expect(await store.remove('w1')).toBe(false);
    expect((await store.list()).map((w) => w.id)).toEqual(['w2']);
  });

  it('loses none of 200 concurrent mutations', async () => {
    const a = new ManifestStore(path);
    const b = new ManifestStore(path);
    await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).add(entry(`w${i}`))));
    const ids = (await a.list()).map((w) => w.id);
    expect(new Set(ids).size).toBe(200);
  });

  it('loses none of the updates made by several processes at once', async () => {
    const script = join(import.meta.dirname, 'fixtures', 'add-workers-child.ts');
    const children = ['p1', 'p2', 'p3'].map((tag) => startChild(script, [path, tag, '15']));
    await Promise.all(children.map((c) => c.waitFor((l) => l === 'ready')));
    for (const c of children) c.send('go');
    const store = new ManifestStore(path);
    await Promise.all(Array.from({ length: 15 }, (_, i) => store.add(entry(`local-${i}`))));
    await Promise.all(children.map((c) => c.waitFor((l) => l === 'done')));
    expect(await Promise.all(children.map((c) => c.exited))).toEqual([0, 0, 0]);
    const ids = new Set((await store.list()).map((w) => w.id));
    expect(ids.size).toBe(60);
    for (const tag of ['p1', 'p2', 'p3', 'local']) expect(ids).toContain(`${tag}-14`);
  });
});

describe('ManifestStore with a damaged manifest', () => {
  const damaged = async (content: string): Promise<Buffer> => {
    await mkdir(join(dir, 'orchestrator'), { recursive: true });
    await writeFile(path, content);
    return readFile(path);
  };

  it.each([
    [
      'bad JSON',
      '{"version": 1, "workers": [',
      null,
      /not valid JSON \(unexpected end of input at line 1 column 28/,
    ],
    [
      'a bad field',
      JSON.stringify({ version: 1, workers: [{ ...entry('w1'), apiUrl: 'not a url' }] }),
      'workers[0].apiUrl',
      /is invalid: workers\[0\]\.apiUrl: /,
    ],
    [
      'an id that cannot name a file',
      JSON.stringify({ version: 1, workers: [{ ...entry('w1'), id: '../../etc/x' }] }),
      'workers[0].id',
      /is invalid: workers\[0\]\.id: must match \[A-Za-z0-9._-\]\+ \(it names a file\)/,
    ],
  ])(
    'with %s: names file and field, keeps it byte for byte with a copy, refuses later writes',
    async (_, content, field, message) => {
      const before = await damaged(content);
      const store = new ManifestStore(path);
      const err = await store.list().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateFileError);
      const e = err as StateFileError;
      expect(e.message).toContain(path);
      expect(e.message).toMatch(message);
      expect(e.field).toBe(field);
      expect(await readFile(e.backupPath ?? '')).toEqual(before);

      await expect(store.add(entry('w2'))).rejects.toThrow(e.message);
      await expect(store.remove('w1')).rejects.toBeInstanceOf(StateFileError);
      expect(await readFile(path)).toEqual(before);
      expect(
        (await readdir(join(dir, 'orchestrator'))).filter((n) => n.includes('.corrupt-')),
      ).toHaveLength(1);
    },
  );
});
