import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CORRUPT_COPIES, keepCorruptCopy } from './corrupt-copy.ts';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedai-corrupt-'));
  file = join(dir, 'manifest.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = (iso: string) => () => Date.parse(iso);
const copiesIn = async (): Promise<string[]> =>
  (await readdir(dir)).filter((n) => n.startsWith('manifest.json.corrupt-')).sort();

describe('keepCorruptCopy', () => {
  it('names the copy after the file and the UTC time, with no character a platform refuses', async () => {
    const copy = await keepCorruptCopy(file, Buffer.from('{bad'), at('2030-01-02T03:04:05.678Z'));
    expect(copy).toBe(join(dir, 'manifest.json.corrupt-2030-01-02T03-04-05-678Z'));
    expect(await readFile(copy, 'utf8')).toBe('{bad');
  });

  it('keeps distinct contents of the same instant apart: -1, -2…', async () => {
    const now = at('2030-01-01T00:00:00.000Z');
    const names = [];
    for (const text of ['one', 'two', 'three'])
      names.push(basename(await keepCorruptCopy(file, Buffer.from(text), now)));
    const base = 'manifest.json.corrupt-2030-01-01T00-00-00-000Z';
    expect(names).toEqual([base, `${base}-1`, `${base}-2`]);
    expect(await copiesIn()).toHaveLength(3);
  });

  it('finds an identical copy past something with the copies’ name that it cannot read', async () => {
    await mkdir(join(dir, 'manifest.json.corrupt-2029-12-31T00-00-00-000Z'));
    const first = await keepCorruptCopy(file, Buffer.from('{bad'), at('2030-01-01T00:00:00Z'));
    expect(await keepCorruptCopy(file, Buffer.from('{bad'), at('2030-01-02T00:00:00Z'))).toBe(
      first,
    );
  });

  it('keeps the new copy when the clock went back, dropping the oldest others', async () => {
    for (let i = 0; i < MAX_CORRUPT_COPIES; i++)
      await keepCorruptCopy(file, Buffer.from(`bad ${i}`), at(`2030-01-0${i + 1}T00:00:00Z`));
    const copy = await keepCorruptCopy(file, Buffer.from('bad late'), at('2029-06-01T00:00:00Z'));
    expect(await readFile(copy, 'utf8')).toBe('bad late');
    const kept = await copiesIn();
    expect(kept).toHaveLength(MAX_CORRUPT_COPIES);
    expect(kept).not.toContain('manifest.json.corrupt-2030-01-01T00-00-00-000Z');
  });
});
