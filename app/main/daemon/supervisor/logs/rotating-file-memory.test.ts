// The rotating log file over an in-memory disk the test steers (stall, fail, recover): its exact
// bounds, what it counts as lost, and how it retries.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../../../../test/support/wait-for.ts';
import { RotatingFile, type FileOps } from './rotating-file.ts';

afterEach(() => {
  vi.useRealTimers();
});

const marker = (n: number, reason: string): string => `MARK ${n} ${reason}\n`;
/** 20 bytes a record. */
const rec = (i: number): string => `record ${String(i).padStart(12, '0')}\n`;

/** Files in memory; appends can be held (`hold`) or made to fail (`fail`). */
function memoryDisk() {
  const files = new Map<string, string>();
  const appends: string[] = [];
  const opens: number[] = [];
  const state = { fail: false, failOpen: false, hold: null as Promise<void> | null, ids: 0 };
  const ops: FileOps = {
    ensureDir: async () => undefined,
    openAppend: async (file) => {
      opens.push(Date.now());
      if (state.failOpen) throw new Error('EIO');
      if (!files.has(file)) files.set(file, '');
      return {
        size: Buffer.byteLength(files.get(file) ?? ''),
        handle: {
          append: async (data) => {
            if (state.hold) await state.hold;
            if (state.fail) throw new Error('ENOSPC');
            appends.push(data.toString());
            files.set(file, (files.get(file) ?? '') + data.toString());
          },
          close: async () => undefined,
        },
      };
    },
    rename: async (from, to) => {
      files.set(to, files.get(from) ?? '');
      files.delete(from);
    },
    fileId: async (file) => (state.ids++, files.has(file) ? file : null),
  };
  return { ops, files, appends, opens, state };
}

const until = (cond: () => boolean): Promise<true> => waitFor('the condition', cond, 10_000, 5);

function rotating(
  disk: ReturnType<typeof memoryDisk>,
  o: Partial<ConstructorParameters<typeof RotatingFile>[0]> = {},
) {
  return new RotatingFile({
    file: '/logs/w.log',
    fs: disk.ops,
    rotateBytes: 1 << 20,
    maxPendingBytes: 1 << 20,
    dropMarker: marker,
    retryMinMs: 5,
    retryMaxMs: 20,
    closeTimeoutMs: 50,
    ...o,
  });
}

describe('RotatingFile bounds', () => {
  it('holds exactly maxPendingBytes for a stalled disk', async () => {
    const disk = memoryDisk();
    let release = (): void => undefined;
    disk.state.hold = new Promise<void>((r) => (release = r));
    const f = rotating(disk, { maxPendingBytes: 40 });
    f.write(rec(1));
    f.write(rec(2)); // 40 bytes pending: still fits
    f.write(rec(3));
    expect(f.stats()).toMatchObject({ linesDropped: 1, pendingBytes: 40 });
    release();
    await f.close();
  });

  it('fills the live file up to rotateBytes exactly, in one write, before rotating', async () => {
    const disk = memoryDisk();
    const f = rotating(disk, { rotateBytes: 40 });
    f.write(rec(1));
    f.write(rec(2)); // queued together: one append of 40 bytes
    await until(() => f.stats().pendingBytes === 0);
    expect(disk.appends).toEqual([rec(1) + rec(2)]);
    expect(f.stats().rotations).toBe(0);
    f.write(rec(3));
    await until(() => f.stats().pendingBytes === 0);
    expect(f.stats().rotations).toBe(1);
    expect(disk.files.get('/logs/w.log.1')).toBe(rec(1) + rec(2));
    expect(disk.files.get('/logs/w.log')).toBe(rec(3));
    await f.close();
  });

  it('a record that brings the live file to exactly rotateBytes goes in it', async () => {
    const disk = memoryDisk();
    const f = rotating(disk, { rotateBytes: 40 });
    for (const i of [1, 2]) {
      f.write(rec(i));
      await until(() => f.stats().pendingBytes === 0);
    }
    expect(f.stats().rotations).toBe(0);
    expect(disk.files.get('/logs/w.log')).toBe(rec(1) + rec(2));
    await f.close();
  });

  it('writes a record longer than rotateBytes into an empty file without rotating it first', async () => {
    const disk = memoryDisk();
    const f = rotating(disk, { rotateBytes: 10 });
    f.write(rec(1));
    await until(() => f.stats().pendingBytes === 0);
    expect(f.stats().rotations).toBe(0);
    expect(disk.files.get('/logs/w.log')).toBe(rec(1));
    await f.close();
  });
});

describe('RotatingFile close', () => {
  it('writes what is queued, with the marker of what was refused, before it closes', async () => {
    const disk = memoryDisk();
    let release = (): void => undefined;
    disk.state.hold = new Promise<void>((r) => (release = r));
    const f = rotating(disk, { maxPendingBytes: 40, closeTimeoutMs: 5000 });
    f.write(rec(1)); // being written
    await until(() => disk.opens.length === 1);
    await new Promise((r) => setImmediate(r));
    f.write(rec(2)); // queued behind it
    f.write(rec(3)); // refused: 60 bytes would be pending
    const closing = f.close();
    release();
    await closing;
    expect(disk.files.get('/logs/w.log')).toBe(rec(1) + rec(2) + marker(1, 'disk slow'));
    expect(f.stats()).toMatchObject({ linesDropped: 1, pendingBytes: 0 });
  });

  it('checks that its file is still there at most every recheckMs, not at every write', async () => {
    const disk = memoryDisk();
    const f = rotating(disk, { recheckMs: 60_000 });
    for (let i = 1; i <= 3; i++) {
      f.write(rec(i));
      await until(() => f.stats().pendingBytes === 0);
    }
    expect(disk.state.ids).toBe(1); // once, when it was opened
    await f.close();
  });
});

describe('RotatingFile losses and retries', () => {
  it('counts lost records, never the markers that stand for them', async () => {
    const disk = memoryDisk();
    disk.state.fail = true;
    const f = rotating(disk);
    f.write(rec(1));
    // The record fails, then its marker fails at every retry.
    await until(() => f.stats().errors >= 3);
    expect(f.stats().linesDropped).toBe(1);
    await f.close();
    expect(f.stats().linesDropped).toBe(1);
  });

  it('after recovering, a refused record is lost to a slow disk again, not a file error', async () => {
    const disk = memoryDisk();
    disk.state.fail = true;
    const f = rotating(disk, { maxPendingBytes: 60 });
    f.write(rec(1));
    await until(() => f.stats().errors >= 1);
    disk.state.fail = false;
    await until(() => f.stats().pendingBytes === 0);
    let release = (): void => undefined;
    disk.state.hold = new Promise<void>((r) => (release = r));
    for (let i = 2; i <= 6; i++) f.write(rec(i)); // 3 fit in 60 bytes
    release();
    disk.state.hold = null;
    await until(() => f.stats().pendingBytes === 0);
    f.write(rec(7));
    await until(() => f.stats().pendingBytes === 0);
    expect(disk.files.get('/logs/w.log')).toContain(marker(2, 'disk slow'));
    await f.close();
  });

  it('retries a failing file after retryMinMs, doubling up to retryMaxMs, and from the start after a success', async () => {
    vi.useFakeTimers({ now: 0 });
    const disk = memoryDisk();
    disk.state.failOpen = true;
    const f = rotating(disk, { retryMinMs: 10, retryMaxMs: 40 });
    f.write(rec(1));
    await vi.advanceTimersByTimeAsync(200);
    expect(disk.opens.slice(0, 6)).toEqual([0, 10, 30, 70, 110, 150]);
    disk.state.failOpen = false;
    await vi.advanceTimersByTimeAsync(40);
    expect(f.stats().pendingBytes).toBe(0);
    const before = disk.opens.length;
    disk.state.fail = true; // the open file fails now: the next attempt reopens it
    f.write(rec(2));
    await vi.advanceTimersByTimeAsync(0);
    disk.state.fail = false;
    await vi.advanceTimersByTimeAsync(10);
    expect(disk.opens.length).toBe(before + 1); // retried after 10 ms again, not 80
    vi.useRealTimers();
    await f.close();
  });

  it('a write that fails after close leaves nothing queued or scheduled', async () => {
    const disk = memoryDisk();
    let fail = (): void => undefined;
    disk.state.hold = new Promise<void>((_, reject) => (fail = () => reject(new Error('EIO'))));
    const f = rotating(disk);
    f.write(rec(1));
    await until(() => disk.opens.length === 1);
    await f.close(); // gives up on the hung append
    const keeping = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    fail();
    await new Promise((r) => setImmediate(r));
    expect(f.stats().pendingBytes).toBe(0);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(keeping);
  });

  it('its retry timer holds no daemon alive', async () => {
    const disk = memoryDisk();
    disk.state.failOpen = true;
    const f = rotating(disk, { retryMinMs: 60_000, retryMaxMs: 60_000 });
    const keeping = (): number =>
      process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = keeping();
    f.write(rec(1));
    await until(() => f.stats().errors === 1);
    expect(keeping()).toBe(before);
    await f.close();
  });
});
