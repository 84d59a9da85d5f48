// One output file read from a saved cursor as the worker appends: what a restarted daemon, a
// truncate by someone else and a replaced path do to the reader.
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TailedFile, type FileCursor } from './tailed-file.ts';

const dirs: string[] = [];
const files: TailedFile[] = [];
afterEach(() => {
  for (const f of files.splice(0)) f.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tailed(
  resume: FileCursor | null = null,
  maxBacklogBytes = 1 << 20,
): { f: TailedFile; path: string; read: () => string; skips: string[] } {
  const dir = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'tailed-'));
  dirs.push(dir);
  const path = join(dir, 'w1.out');
  const chunks: Buffer[] = [];
  const skips: string[] = [];
  const f = new TailedFile(
    {
      path,
      maxBacklogBytes,
      onData: (c) => chunks.push(c),
      onSkip: (bytes, why) => skips.push(`${why} ${bytes}`),
      chunkBytes: 16,
    },
    resume,
  );
  files.push(f);
  const read = (): string => Buffer.concat(chunks.splice(0)).toString();
  return { f, path, read, skips };
}

/** Another reader of an existing file, resuming at `resume`. */
function reader(path: string, resume: FileCursor | null): { f: TailedFile; read: () => string } {
  const chunks: Buffer[] = [];
  const f = new TailedFile(
    { path, maxBacklogBytes: 1 << 20, onData: (c) => chunks.push(c), onSkip: () => undefined },
    resume,
  );
  files.push(f);
  return { f, read: () => Buffer.concat(chunks.splice(0)).toString() };
}

const idOf = (path: string): string => {
  const st = statSync(path, { bigint: true });
  return `${st.dev}:${st.ino}`;
};

/** The daemon's own open descriptors (Linux). */
const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('TailedFile', () => {
  it('reads nothing, and throws nothing, while the file does not exist', () => {
    const { f, read } = tailed();
    expect(f.reopen()).toBe(false);
    expect(f.pump(100)).toBe(0);
    expect(read()).toBe('');
    expect(f.atEnd()).toBe(false);
  });

  it('hands on every appended byte once, in bounded reads, and keeps the cursor at a line start', () => {
    const { f, path, read } = tailed();
    writeFileSync(path, 'first line\nsecond ');
    expect(f.pump(5)).toBe(5);
    expect(read()).toBe('first');
    expect(f.atEnd()).toBe(false);
    expect(f.pump(1000)).toBe(13);
    expect(read()).toBe(' line\nsecond ');
    expect(f.atEnd()).toBe(true);
    expect(f.cursor()).toEqual({ id: idOf(path), offset: 11 }); // a restart repeats no half line
    appendFileSync(path, 'half\n');
    expect(f.pump(1000)).toBe(5);
    expect(read()).toBe('half\n');
    expect(f.offset).toBe(23);
    expect(f.pump(1000)).toBe(0);
  });

  it('reads no more than asked across its chunks, and a chunk without a line end keeps the cursor', () => {
    const { f, path, read } = tailed(); // 16-byte chunks
    writeFileSync(path, `a\n${'x'.repeat(40)}`);
    expect(f.pump(20)).toBe(20);
    expect(read()).toBe(`a\n${'x'.repeat(18)}`);
    expect(f.cursor()?.offset).toBe(2);
    expect(f.pump(100)).toBe(22);
    expect(f.cursor()?.offset).toBe(2);
  });

  it('before the file is opened: keeps the cursor it was given, truncates nothing, names its path', () => {
    const { f, path } = tailed();
    f.truncate();
    f.close();
    expect(f.procPath('linux')).toBe(path);
    const saved = { id: '1:2', offset: 7 };
    expect(tailed(saved).f.cursor()).toEqual(saved);
    expect(tailed().f.cursor()).toBeNull();
  });

  it('resumes at a saved cursor of the same file, up to its very end', () => {
    const { path } = tailed();
    writeFileSync(path, 'one\ntwo\n');
    const id = idOf(path);
    const middle = reader(path, { id, offset: 4 });
    expect(middle.f.pump(100)).toBe(4);
    expect(middle.read()).toBe('two\n');
    expect(middle.f.cursor()).toEqual({ id, offset: 8 });
    expect(reader(path, { id, offset: 8 }).f.pump(100)).toBe(0); // nothing repeated
  });

  it('reads from the start a file the cursor does not name, or that shrank below it', () => {
    const { path } = tailed();
    writeFileSync(path, 'ab\n');
    expect(reader(path, { id: '1:2', offset: 1 }).f.pump(100)).toBe(3);
    expect(reader(path, { id: idOf(path), offset: 4 }).f.pump(100)).toBe(3);
  });

  it('opening the same file again keeps its place; a new file at the path starts at 0', () => {
    const { f, path, read } = tailed();
    writeFileSync(path, 'a\n');
    f.pump(100);
    expect(read()).toBe('a\n');
    expect(f.reopen()).toBe(true);
    appendFileSync(path, 'b\n');
    f.pump(100);
    expect(read()).toBe('b\n'); // nothing repeated
    rmSync(path);
    writeFileSync(path, 'c\n');
    expect(f.reopen()).toBe(true);
    f.pump(100);
    expect(read()).toBe('c\n');
  });

  it('opening again releases the descriptor it held', () => {
    const { f, path } = tailed();
    writeFileSync(path, 'a\n');
    f.reopen();
    const held = openFds();
    for (let i = 0; i < 5; i++) f.reopen();
    expect(openFds()).toBe(held);
    f.close();
    expect(openFds()).toBe(held - 1);
  });

  it('keeps reading the file it opened when the path is moved away and replaced', () => {
    const { f, path, read } = tailed();
    writeFileSync(path, 'old 1\n');
    f.pump(100);
    expect(read()).toBe('old 1\n');
    renameSync(path, `${path}.moved`);
    appendFileSync(`${path}.moved`, 'old 2\n');
    writeFileSync(path, 'new 1\n');
    f.pump(100);
    expect(read()).toBe('old 2\n');
  });

  it('notices a truncate by someone else and reads on from the start', () => {
    const { f, path, read, skips } = tailed();
    writeFileSync(path, 'before\n');
    f.pump(100);
    read();
    truncateSync(path, 0);
    appendFileSync(path, 'after\n');
    f.pump(100);
    expect(skips).toEqual(['truncated 0']);
    expect(read()).toBe('after\n');
  });

  it('skips to the newest maxBacklogBytes and says how much it skipped', () => {
    const { f, path, read, skips } = tailed(null, 10);
    writeFileSync(path, '012345678\n'); // exactly the cap: nothing skipped
    f.pump(100);
    expect(skips).toEqual([]);
    expect(read()).toBe('012345678\n');
    appendFileSync(path, '0123456789abcdefghij\n');
    f.pump(100);
    expect(skips).toEqual(['backlog 11']);
    expect(read()).toBe('bcdefghij\n');
  });

  it('Linux: names the very file it reads through /proc for another program; elsewhere its path', () => {
    const { f, path } = tailed();
    writeFileSync(path, 'a\n');
    f.reopen();
    const proc = f.procPath('linux');
    expect(proc).toMatch(new RegExp(`^/proc/${process.pid}/fd/\\d+$`));
    expect(readlinkSync(proc)).toBe(path);
    expect(f.procPath('darwin')).toBe(path);
    f.close();
    f.close();
    expect(f.procPath('linux')).toBe(path);
  });
});
