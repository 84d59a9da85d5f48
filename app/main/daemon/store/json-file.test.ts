import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { withFileLock } from './file-mutex.ts';
import { JsonFile, LockTimeoutError, StateFileError } from './json-file.ts';
import { deadPid, rejectionOf, sleeper } from './test-support.ts';

const Counter = z.object({ version: z.literal(1), items: z.array(z.number().int()) });
type Counter = z.infer<typeof Counter>;
const empty = (): Counter => ({ version: 1, items: [] });

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedai-jsonfile-'));
  file = join(dir, 'state', 'counter.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

const expectStateFileError = (p: Promise<unknown>): Promise<StateFileError> =>
  rejectionOf(p, StateFileError);

describe('JsonFile', () => {
  it('reads a missing file as the empty value without creating it', async () => {
    const f = new JsonFile(file, Counter, { empty });
    expect(await f.read()).toEqual(empty());
    expect(existsSync(file)).toBe(false);
  });

  it('writes pretty JSON without a trailing newline, 0600 in a 0700 folder, and cleans up', async () => {
    const f = new JsonFile(file, Counter, { empty });
    expect(await f.update((c) => ({ ...c, items: [1] }))).toEqual({ version: 1, items: [1] });
    expect(await readFile(file, 'utf8')).toBe('{\n  "version": 1,\n  "items": [\n    1\n  ]\n}');
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(join(dir, 'state'))).toBe(0o700);
    expect(await readdir(join(dir, 'state'))).toEqual(['counter.json']);
  });

  it('uses a custom serializer and mode', async () => {
    const f = new JsonFile(file, Counter, {
      empty,
      serialize: (v) => JSON.stringify(v),
      mode: 0o644,
    });
    await f.write({ version: 1, items: [2] });
    expect(await readFile(file, 'utf8')).toBe('{"version":1,"items":[2]}');
    expect(await modeOf(file)).toBe(0o644);
  });

  it('loses none of 200 concurrent updates made through two objects for the same file', async () => {
    const a = new JsonFile(file, Counter, { empty });
    const b = new JsonFile(join(dir, 'state', '..', 'state', 'counter.json'), Counter, { empty });
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? a : b).update(async (c) => {
          await new Promise((r) => setImmediate(r)); // yield mid-mutation
          return { ...c, items: [...c.items, i] };
        }),
      ),
    );
    const items = (await a.read()).items;
    expect(items).toHaveLength(200);
    expect(new Set(items).size).toBe(200);
  });

  it('leaves the file as it was when a mutation throws, and keeps serving later updates', async () => {
    const f = new JsonFile(file, Counter, { empty });
    await f.write({ version: 1, items: [1] });
    await expect(
      f.update(() => {
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    await expect(
      f.update((c) => ({ ...c, items: [...c.items, 'x' as unknown as number] })),
    ).rejects.toThrow(/refusing to write .*counter\.json: items\[1\]/);
    await f.update((c) => ({ ...c, items: [...c.items, 2] }));
    expect((await f.read()).items).toEqual([1, 2]);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('takes no lock file when crossProcessLock is false', async () => {
    const f = new JsonFile(file, Counter, { empty, crossProcessLock: false });
    let lockSeen = true;
    await f.update((c) => {
      lockSeen = existsSync(`${file}.lock`);
      return c;
    });
    expect(lockSeen).toBe(false);
    const locked = new JsonFile(file, Counter, { empty });
    await locked.update((c) => {
      lockSeen = existsSync(`${file}.lock`);
      return c;
    });
    expect(lockSeen).toBe(true);
  });
});

describe('JsonFile with a damaged file', () => {
  it('reports bad JSON with its position, never rewrites it, and keeps one copy', async () => {
    await mkdir(join(dir, 'state'));
    const bad = Buffer.from('{\n  "version": 1,\n  "items": [1,, 2]\n}');
    await writeFile(file, bad);
    const f = new JsonFile(file, Counter, { empty });

    const err = await expectStateFileError(f.read());
    expect(err.message).toContain(file);
    expect(err.message).toContain('not valid JSON');
    expect(err.message).toContain('line 3 column 15, position 32');
    expect(err.name).toBe('StateFileError');
    expect(err.file).toBe(file);
    expect(err.field).toBeNull();
    expect(err.message).toContain(`; a copy is kept at ${err.backupPath ?? ''};`);
    expect(err.backupPath).toMatch(/counter\.json\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(await readFile(err.backupPath ?? '')).toEqual(bad);
    expect(await modeOf(err.backupPath ?? '')).toBe(0o600);

    const again = await expectStateFileError(f.update((c) => ({ ...c, items: [] })));
    expect(again.message).toBe(err.message);
    await expectStateFileError(f.write(empty()));
    expect(await readFile(file)).toEqual(bad);
    const copies = (await readdir(join(dir, 'state'))).filter((n) => n.includes('.corrupt-'));
    expect(copies).toHaveLength(1);
  });

  it('names the field of a value that fails the schema', async () => {
    await mkdir(join(dir, 'state'));
    await writeFile(file, '{"version": 1, "items": [1, "two"]}');
    const err = await expectStateFileError(new JsonFile(file, Counter, { empty }).read());
    expect(err.field).toBe('items[1]');
    expect(err.message).toMatch(/counter\.json is invalid: items\[1\]: /);
    expect(err.message).toContain('left as it is until fixed or removed');
  });

  it('still reports the problem, and leaves the file, when no copy can be kept', async () => {
    await mkdir(join(dir, 'state'));
    await writeFile(file, 'not json');
    // A clock that gives no valid time: the copy cannot be named.
    const f = new JsonFile(file, Counter, { empty, now: () => Number.NaN });
    const err = await expectStateFileError(f.read());
    expect(err.message).toBe(
      `${file} is not valid JSON (unexpected character at line 1 column 1, position 0); could not keep a copy (error); it is left as it is until fixed or removed`,
    );
    expect(err.backupPath).toBeNull();
    expect(await readFile(file, 'utf8')).toBe('not json');
  });

  it('refuses a state file it cannot read, rather than taking it for missing', async () => {
    await mkdir(file, { recursive: true });
    const f = new JsonFile(file, Counter, { empty });
    await expect(f.read()).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(f.update((c) => c)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('keeps only the five newest copies of distinct damaged contents', async () => {
    await mkdir(join(dir, 'state'));
    let t = Date.parse('2030-01-01T00:00:00Z');
    const f = new JsonFile(file, Counter, { empty, now: () => (t += 1000) });
    for (let i = 0; i < 7; i++) {
      await writeFile(file, `not json ${i}`);
      await expectStateFileError(f.read());
    }
    const copies = (await readdir(join(dir, 'state')))
      .filter((n) => n.includes('.corrupt-'))
      .sort();
    expect(copies).toHaveLength(5);
    const kept = await Promise.all(copies.map((n) => readFile(join(dir, 'state', n), 'utf8')));
    expect(kept).toEqual(['not json 2', 'not json 3', 'not json 4', 'not json 5', 'not json 6']);
  });
});

describe('JsonFile cross-process lock', () => {
  const lockOf = (pid: number, at: number): string => JSON.stringify({ pid, at, nonce: 'theirs' });

  it('takes over a lock left by a dead process', async () => {
    await mkdir(join(dir, 'state'));
    await writeFile(`${file}.lock`, lockOf(await deadPid(), Date.now()));
    const f = new JsonFile(file, Counter, { empty, lockTimeoutMs: 60_000 });
    await f.update((c) => ({ ...c, items: [1] }));
    expect((await f.read()).items).toEqual([1]);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('takes over a lock from this pid that this process does not hold (a previous process with our pid)', async () => {
    await mkdir(join(dir, 'state'));
    await writeFile(`${file}.lock`, lockOf(process.pid, Date.now()));
    await new JsonFile(file, Counter, { empty, lockTimeoutMs: 60_000 }).update((c) => c);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('takes over a lock held longer than any mutation takes, even by a live process', async () => {
    const holder = sleeper();
    try {
      await mkdir(join(dir, 'state'));
      await writeFile(`${file}.lock`, lockOf(holder.pid, Date.now() - 60_000));
      await new JsonFile(file, Counter, { empty, lockTimeoutMs: 60_000 }).update((c) => c);
      expect(existsSync(`${file}.lock`)).toBe(false);
    } finally {
      await holder.stop();
    }
  });

  it('waits no longer than its lockTimeoutMs (0: one attempt)', async () => {
    await mkdir(join(dir, 'state'));
    let release = (): void => undefined;
    const holding = withFileLock(file, () => new Promise<void>((r) => (release = r)));
    try {
      await vi.waitFor(() => expect(existsSync(`${file}.lock`)).toBe(true), { timeout: 30_000 });
      // The holder lets go soon: a file that waited (the default 10 s) would get the lock.
      setTimeout(() => release(), 500);
      const f = new JsonFile(file, Counter, { empty, lockTimeoutMs: 0 });
      const err = await f.update((c) => c).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect(existsSync(file)).toBe(false);
    } finally {
      release();
      await holding;
    }
  });

  it('gives up after the bounded wait on a live holder, naming it, and changes nothing', async () => {
    const holder = sleeper();
    try {
      await mkdir(join(dir, 'state'));
      await writeFile(file, '{"version": 1, "items": [7]}');
      const theirs = lockOf(holder.pid, Date.now());
      await writeFile(`${file}.lock`, theirs);
      const f = new JsonFile(file, Counter, { empty, lockTimeoutMs: 300 });
      const err = await f.update((c) => ({ ...c, items: [] })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect((err as LockTimeoutError).message).toContain(
        `${file}.lock (held by process ${holder.pid})`,
      );
      expect((await f.read()).items).toEqual([7]);
      expect(await readFile(`${file}.lock`, 'utf8')).toBe(theirs);
    } finally {
      await holder.stop();
    }
  });
});
