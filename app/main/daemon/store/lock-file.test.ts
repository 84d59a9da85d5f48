import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  createExclusive,
  parseJsonWith,
  readLock,
  removeLockIfContent,
  takeOverStaleLock,
} from './lock-file.ts';
import { deadPid } from './test-support.ts';

let dir: string;
let lock: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedai-lockfile-'));
  lock = join(dir, 'state.json.lock');
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

/** The takeover token of a lock holding `stale` (the name other processes agree on). */
const tokenOf = (path: string, stale: string): string =>
  `${path}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
const tokenText = (pid: number, at: number): string => JSON.stringify({ pid, at });

describe('createExclusive', () => {
  it('creates the lock whole and private, once: a second attempt finds it taken', async () => {
    expect(await createExclusive(lock, 'first')).toBe(true);
    expect(await createExclusive(lock, 'second')).toBe(false);
    expect(await readFile(lock, 'utf8')).toBe('first');
    expect((await stat(lock)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.json.lock']); // no temp file left
  });

  it('reports a failure other than "taken" and leaves no temp file', async () => {
    // A name with a trailing slash cannot be linked (ENOENT), though its folder takes the temp file.
    await expect(createExclusive(`${lock}/`, 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('readLock and removeLockIfContent', () => {
  it('reads a missing lock as null and refuses what is not a file', async () => {
    expect(await readLock(lock)).toBeNull();
    await mkdir(lock);
    await expect(readLock(lock)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('removes the lock only while it holds what the caller wrote', async () => {
    await writeFile(lock, 'theirs');
    await removeLockIfContent(lock, 'mine');
    expect(await readFile(lock, 'utf8')).toBe('theirs');
    await removeLockIfContent(lock, 'theirs');
    expect(existsSync(lock)).toBe(false);
    await expect(removeLockIfContent(lock, 'theirs')).resolves.toBeUndefined();
  });
});

describe('parseJsonWith', () => {
  const Schema = z.object({ pid: z.number() });
  it('gives the value, or null for text that is not JSON or not of the schema', () => {
    expect(parseJsonWith(Schema, '{"pid": 4}')).toEqual({ pid: 4 });
    expect(parseJsonWith(Schema, '{"pid": "4"}')).toBeNull();
    expect(parseJsonWith(Schema, '{"pid": 4')).toBeNull();
  });
});

describe('takeOverStaleLock', () => {
  it('removes the stale lock, says so, and leaves no token behind', async () => {
    await writeFile(lock, 'stale');
    expect(await takeOverStaleLock(lock, 'stale')).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves a lock that changed since it was judged stale (a late taker)', async () => {
    await writeFile(lock, 'newer');
    expect(await takeOverStaleLock(lock, 'stale')).toBe(false);
    expect(await readFile(lock, 'utf8')).toBe('newer');
    expect(await readdir(dir)).toEqual(['state.json.lock']);
  });

  it('leaves the lock to a live process that is taking it over, and keeps its token', async () => {
    await writeFile(lock, 'stale');
    const token = tokenOf(lock, 'stale');
    const theirs = tokenText(process.pid, Date.now());
    await writeFile(token, theirs);
    expect(await takeOverStaleLock(lock, 'stale')).toBe(false);
    expect(await readFile(lock, 'utf8')).toBe('stale');
    expect(await readFile(token, 'utf8')).toBe(theirs);
  });

  it.each([
    ['a process that died', async () => tokenText(await deadPid(), Date.now())],
    ['a live process, but too long ago', () => tokenText(process.pid, Date.now() - 11_000)],
    ['nobody it can read', () => 'not a token'],
  ])('drops a token left by %s; the next attempt takes the lock over', async (_, content) => {
    await writeFile(lock, 'stale');
    const token = tokenOf(lock, 'stale');
    await writeFile(token, await content());
    expect(await takeOverStaleLock(lock, 'stale')).toBe(false);
    expect(existsSync(token)).toBe(false);
    expect(await readFile(lock, 'utf8')).toBe('stale');
    expect(await takeOverStaleLock(lock, 'stale')).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps a live taker token up to 10 s old, drops it after', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const now = Date.parse('2030-01-01T00:00:00Z');
    vi.setSystemTime(now);
    await writeFile(lock, 'stale');
    const token = tokenOf(lock, 'stale');
    await writeFile(token, tokenText(process.pid, now - 10_000));
    expect(await takeOverStaleLock(lock, 'stale')).toBe(false);
    expect(existsSync(token)).toBe(true);
    vi.setSystemTime(now + 1);
    expect(await takeOverStaleLock(lock, 'stale')).toBe(false);
    expect(existsSync(token)).toBe(false);
  });

  // A FIFO at the lock's path holds the taker inside its takeover (reading the lock) until the
  // test writes the stale content into it: what others see in between is observable.
  it.runIf(process.platform !== 'win32')(
    'mid-takeover, its token names this process and a competitor leaves it alone',
    async () => {
      execFileSync('mkfifo', [lock]);
      const before = Date.now();
      const taking = takeOverStaleLock(lock, 'stale');
      const token = tokenOf(lock, 'stale');
      await vi.waitFor(() => expect(existsSync(token)).toBe(true), { timeout: 30_000 });
      const held = JSON.parse(await readFile(token, 'utf8')) as { pid: number; at: number };
      expect(held.pid).toBe(process.pid);
      expect(held.at).toBeGreaterThanOrEqual(before);
      expect(held.at).toBeLessThanOrEqual(Date.now());

      expect(await takeOverStaleLock(lock, 'stale')).toBe(false);
      expect(existsSync(token)).toBe(true);

      await writeFile(lock, 'stale'); // the taker reads it: still the stale content
      expect(await taking).toBe(true);
      expect(await readdir(dir)).toEqual([]);
    },
  );
});
