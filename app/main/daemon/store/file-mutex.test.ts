import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockTimeoutError, withFileLock, type FileMutexOptions } from './file-mutex.ts';
import { deadPid, rejectionOf } from './test-support.ts';

let dir: string;
let file: string;
let lockPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedai-mutex-'));
  file = join(dir, 'state.json');
  lockPath = `${file}.lock`;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A clock that moves only when the mutex pauses, and the pauses it asked for. */
function fakeTime(start = Date.now()): Required<Pick<FileMutexOptions, 'now' | 'sleep'>> & {
  pauses: number[];
} {
  let t = start;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => t,
    sleep: (ms) => {
      pauses.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

/** Holds the lock in this process until `release()`; resolves `held` with the lock's content. */
function holdLock(): { held: Promise<string>; release: () => void; done: Promise<void> } {
  let release = (): void => undefined;
  const released = new Promise<void>((r) => (release = r));
  let heldNow = (_: string): void => undefined;
  const held = new Promise<string>((r) => (heldNow = r));
  const done = withFileLock(file, async () => {
    heldNow(await readFile(lockPath, 'utf8'));
    await released;
  });
  return { held, release, done };
}

const lockText = (pid: number, at: number, nonce = 'theirs'): string =>
  JSON.stringify({ pid, at, nonce });

const timeoutOf = (p: Promise<unknown>): Promise<LockTimeoutError> =>
  rejectionOf(p, LockTimeoutError);

describe('withFileLock', () => {
  it('holds <file>.lock while the task runs and removes it after, also when the task throws', async () => {
    expect(await withFileLock(file, () => Promise.resolve(existsSync(lockPath)))).toBe(true);
    expect(existsSync(lockPath)).toBe(false);
    await expect(withFileLock(file, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(existsSync(lockPath)).toBe(false);
  });

  it('waits for a holder in this process, then runs its task after the holder is done', async () => {
    const holder = holdLock();
    await holder.held;
    const order: string[] = [];
    const time = fakeTime();
    const waiting = withFileLock(
      file,
      () => {
        order.push('second task');
        return Promise.resolve();
      },
      {
        timeoutMs: 60_000,
        now: time.now,
        sleep: async (ms) => {
          if (time.pauses.length === 2) {
            order.push('holder released');
            holder.release();
            await holder.done;
          }
          return time.sleep(ms);
        },
      },
    );
    await waiting;
    expect(order).toEqual(['holder released', 'second task']);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('gives up after 10 s by default, naming the holder, with jittered pauses growing to 100 ms', async () => {
    const holder = holdLock();
    try {
      const theirs = await holder.held;
      const time = fakeTime();
      const err = await timeoutOf(withFileLock(file, () => Promise.resolve(), time));
      expect(err.name).toBe('LockTimeoutError');
      expect(err.lockPath).toBe(lockPath);
      expect(err.holderPid).toBe(process.pid);
      expect(err.message).toMatch(
        new RegExp(
          `^timed out after 10\\.\\d s waiting for .*state\\.json\\.lock \\(held by process ${process.pid}\\); if no process is using it, remove the lock file$`,
        ),
      );
      // Each pause is its base (5 ms, doubling up to 100 ms) plus up to as much again.
      time.pauses.forEach((pause, k) => {
        const base = Math.min(5 * 2 ** k, 100);
        expect(pause).toBeGreaterThanOrEqual(base);
        expect(pause).toBeLessThan(2 * base);
      });
      expect(time.pauses.length).toBeGreaterThan(50);
      // …spread over that range (the largest of some 70 draws is past its middle).
      const spread = time.pauses.map((pause, k) => pause / Math.min(5 * 2 ** k, 100) - 1);
      expect(Math.max(...spread)).toBeGreaterThan(0.5);
      expect(await readFile(lockPath, 'utf8')).toBe(theirs);
    } finally {
      holder.release();
      await holder.done;
    }
  });

  it('with timeoutMs 0 tries once and does not pause', async () => {
    const holder = holdLock();
    try {
      await holder.held;
      const time = fakeTime();
      const err = await timeoutOf(
        withFileLock(file, () => Promise.resolve(), { ...time, timeoutMs: 0 }),
      );
      expect(err.message).toMatch(/^timed out after 0\.0 s /);
      expect(time.pauses).toEqual([]);
    } finally {
      holder.release();
      await holder.done;
    }
  });

  it.each([
    ['a process that died', async () => lockText(await deadPid(), Date.now())],
    [
      'this pid, not held here (a previous process with our pid)',
      () => lockText(process.pid, Date.now()),
    ],
    ['nobody it can read (damaged)', () => '{"pid": 1'],
  ])('takes over at once, even with timeoutMs 0, a lock of %s', async (_, content) => {
    await writeFile(lockPath, await content());
    const time = fakeTime();
    expect(
      await withFileLock(file, () => readFile(lockPath, 'utf8'), { ...time, timeoutMs: 0 }),
    ).toMatch(new RegExp(`^\\{"pid":${process.pid},`));
    expect(time.pauses).toEqual([]);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('waits for a live holder up to 30 s after it took the lock, and takes it over after that', async () => {
    const holder = holdLock();
    try {
      const { at } = JSON.parse(await holder.held) as { at: number };
      const err = await timeoutOf(
        withFileLock(file, () => Promise.resolve(), { ...fakeTime(at + 30_000), timeoutMs: 0 }),
      );
      expect(err.holderPid).toBe(process.pid);
      const ran = await withFileLock(file, () => Promise.resolve('ran'), {
        ...fakeTime(at + 30_001),
        timeoutMs: 0,
      });
      expect(ran).toBe('ran');
    } finally {
      holder.release();
      await holder.done;
    }
  });

  it('forgets a lock it released: the same content found later is a previous holder’s', async () => {
    const content = await withFileLock(file, () => readFile(lockPath, 'utf8'));
    await writeFile(lockPath, content); // as if the release had been lost
    const time = fakeTime();
    await withFileLock(file, () => Promise.resolve(), { ...time, timeoutMs: 0 });
    expect(existsSync(lockPath)).toBe(false);
  });

  it('waits for "another process" while a live process takes a damaged lock over', async () => {
    const damaged = 'not a lock';
    await writeFile(lockPath, damaged);
    const digest = createHash('sha256').update(damaged).digest('hex').slice(0, 16);
    await writeFile(
      `${lockPath}.takeover-${digest}`,
      JSON.stringify({ pid: process.pid, at: Date.now() }),
    );
    const err = await timeoutOf(
      withFileLock(file, () => Promise.resolve(), { ...fakeTime(), timeoutMs: 0 }),
    );
    expect(err.holderPid).toBeNull();
    expect(err.message).toContain(`${lockPath} (held by another process)`);
    expect(await readFile(lockPath, 'utf8')).toBe(damaged);
  });

  it.runIf(process.platform !== 'win32')(
    'gives up on a lock path that exists but reads as missing (a link to nothing) after its timeout',
    async () => {
      await symlink(join(dir, 'nowhere'), lockPath);
      const time = fakeTime();
      const err = await timeoutOf(
        withFileLock(file, () => Promise.resolve(), { ...time, timeoutMs: 1_000 }),
      );
      expect(err.holderPid).toBeNull();
      expect(time.pauses.length).toBeGreaterThan(0);
    },
  );
});
