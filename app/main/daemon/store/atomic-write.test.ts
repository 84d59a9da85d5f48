import { mkdir, mkdtemp, readFile, readdir, rm, stat, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDir, writeFileAtomic } from './atomic-write.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedai-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('writeFileAtomic', () => {
  it('writes the content with mode 0600 and leaves no temp file', async () => {
    const file = join(dir, 'secret.json');
    await writeFileAtomic(file, '{"a":1}');
    await writeFileAtomic(file, '{"a":2}');
    expect(await readFile(file, 'utf8')).toBe('{"a":2}');
    expect(await modeOf(file)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['secret.json']);
  });

  it('applies the mode asked for even over a file that had another', async () => {
    const file = join(dir, 'f.json');
    await writeFileAtomic(file, 'x', 0o644);
    expect(await modeOf(file)).toBe(0o644);
    await writeFileAtomic(file, 'y', 0o600);
    expect(await modeOf(file)).toBe(0o600);
  });

  it('removes its temp file when the rename fails and keeps the target', async () => {
    const target = join(dir, 'taken');
    await mkdir(join(target, 'inside'), { recursive: true }); // renaming a file over a non-empty folder fails
    await expect(writeFileAtomic(target, 'data')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['taken']);
    expect(await readdir(target)).toEqual(['inside']);
  });
});

describe('ensureDir', () => {
  it('creates nested folders and makes the leaf 0700, also when it existed with another mode', async () => {
    const leaf = join(dir, 'a', 'b');
    await ensureDir(leaf);
    expect(await modeOf(leaf)).toBe(0o700);
    await chmod(leaf, 0o755);
    await ensureDir(leaf);
    expect(await modeOf(leaf)).toBe(0o700);
  });

  // procfs folders exist but refuse chmod, even to root: a real failing chmod.
  it.runIf(process.platform === 'linux')('ignores a failing chmod only on Windows', async () => {
    await expect(ensureDir('/proc/self', 0o700, 'linux')).rejects.toMatchObject({ code: 'EPERM' });
    await expect(ensureDir('/proc/self', 0o700, 'win32')).resolves.toBeUndefined();
  });
});
