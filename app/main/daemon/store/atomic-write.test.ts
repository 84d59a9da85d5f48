import { readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, readdir, rm, stat, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureDir, fsyncDir, writeFileAtomic } from './atomic-write.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedai-atomic-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
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

// Linux names what each descriptor is open on in /proc/self/fd.
describe.runIf(process.platform === 'linux')('writeFileAtomic on Linux', () => {
  const openFiles = async (): Promise<number> => (await readdir('/proc/self/fd')).length;

  it('syncs the new content and then the folder, so a power cut leaves the old file or the new', async () => {
    const handle = await open(join(dir, 'probe'), 'w');
    const FileHandle = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
    await handle.close();
    const synced: string[] = [];
    const sync = FileHandle.sync;
    vi.spyOn(FileHandle, 'sync').mockImplementation(function (this: { fd: number }) {
      synced.push(readlinkSync(`/proc/self/fd/${this.fd}`));
      return sync.call(this);
    });
    const file = join(dir, 'state.json');
    await writeFileAtomic(file, '{}');
    expect(synced).toHaveLength(2);
    expect(synced[0]).toMatch(/\/\.state\.json\.\d+\.[0-9a-f]+\.tmp$/); // the content, before the rename
    expect(synced[1]).toBe(dir); // the rename
  });

  it('closes every file and folder it opens', async () => {
    const before = await openFiles();
    for (let i = 0; i < 20; i++) await writeFileAtomic(join(dir, 'f.json'), `${i}`);
    expect(await openFiles()).toBeLessThan(before + 10);
  });
});

describe('fsyncDir', () => {
  it('does nothing more for a folder it cannot open (Windows cannot open folders)', async () => {
    await expect(fsyncDir(join(dir, 'missing'))).resolves.toBeUndefined();
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
