import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../../../../test/support/wait-for.ts';
import { nodeFileOps, RotatingFile } from './rotating-file.ts';
import type { FileOps } from './rotating-file.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotating-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const marker = (n: number, reason: string): string => `MARK ${n} ${reason}\n`;
const record = (i: number): string => `record ${String(i).padStart(5, '0')} ${'x'.repeat(80)}\n`;

const until = (cond: () => boolean): Promise<true> => waitFor('the condition', cond, 20_000, 10);

/** Appends wait for `release()`; never-released appends hang like a dead disk. */
function stallingOps(): { ops: FileOps; release: () => void; appends: () => number } {
  let appends = 0;
  let release = (): void => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const ops: FileOps = {
    ...nodeFileOps,
    async openAppend(file) {
      const { handle, size } = await nodeFileOps.openAppend(file);
      return {
        size,
        handle: {
          append: async (data) => {
            appends++;
            await gate;
            await handle.append(data);
          },
          close: () => handle.close(),
        },
      };
    },
  };
  return { ops, release: () => release(), appends: () => appends };
}

describe('RotatingFile', () => {
  it('rotates before the live file would exceed the limit, counting an existing file', async () => {
    const file = join(dir, 'logs', 'w.log');
    mkdirSync(join(dir, 'logs'));
    writeFileSync(file, 'y'.repeat(9_000) + '\n'); // left by an earlier daemon
    const f = new RotatingFile({
      file,
      rotateBytes: 10_240,
      maxPendingBytes: 1 << 20,
      dropMarker: marker,
    });
    for (let i = 0; i < 500; i++) {
      f.write(record(i));
      if (i % 50 === 0) await f.idle();
    }
    await f.close();
    const live = readFileSync(file, 'utf8');
    const backup = readFileSync(`${file}.1`, 'utf8');
    expect(statSync(file).size).toBeLessThanOrEqual(10_240);
    expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(10_240);
    expect(live.endsWith(record(499))).toBe(true);
    // Nothing lost at the seam: the backup ends with the record just before the live file's first.
    const firstLive = Number(live.slice('record '.length, 'record '.length + 5));
    expect(backup.endsWith(record(firstLive - 1))).toBe(true);
    // 9,001 old bytes + 13 records fill the first file; later files hold 108 records of 94 bytes:
    // 487 more records need 5 fresh files.
    expect(f.stats()).toMatchObject({ rotations: 5, errors: 0, linesDropped: 0, pendingBytes: 0 });
  });

  it('holds at most maxPendingBytes for a stalled disk and marks the dropped records', async () => {
    const file = join(dir, 'w.log');
    const { ops, release } = stallingOps();
    const f = new RotatingFile({
      file,
      rotateBytes: 1 << 20,
      maxPendingBytes: 4096,
      dropMarker: marker,
      fs: ops,
    });
    for (let i = 0; i < 200; i++) {
      f.write(record(i));
      expect(f.stats().pendingBytes).toBeLessThanOrEqual(4096);
    }
    const dropped = f.stats().linesDropped;
    expect(dropped).toBeGreaterThan(150);
    release();
    await f.idle();
    f.write(record(999));
    await f.close();
    const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
    expect(lines.slice(-2)).toEqual([`MARK ${dropped} disk slow`, record(999).trimEnd()]);
    expect(lines).toHaveLength(200 - dropped + 2);
  });

  it('close gives up on a hung disk after closeTimeoutMs', async () => {
    const { ops, appends } = stallingOps();
    const f = new RotatingFile({
      file: join(dir, 'w.log'),
      rotateBytes: 1 << 20,
      maxPendingBytes: 1 << 20,
      dropMarker: marker,
      fs: ops,
      closeTimeoutMs: 50,
    });
    f.write(record(1));
    await until(() => appends() === 1); // record 1 is stuck in the disk
    f.write(record(2));
    await f.close(); // the test would time out if close waited for the disk
    f.write(record(3)); // ignored after close
    expect(f.stats()).toMatchObject({ linesDropped: 1, pendingBytes: record(1).length });
  });

  it('recreates a removed logs folder instead of writing to the deleted file', async () => {
    const logs = join(dir, 'logs');
    const file = join(logs, 'w.log');
    const f = new RotatingFile({
      file,
      rotateBytes: 1 << 20,
      maxPendingBytes: 1 << 20,
      dropMarker: marker,
      recheckMs: 0,
    });
    f.write('before\n');
    await f.idle();
    rmSync(logs, { recursive: true });
    f.write('after\n');
    await f.idle();
    expect(readFileSync(file, 'utf8')).toBe('after\n');
    expect(f.stats().errors).toBe(1);
    await f.close();
  });

  it('lets go of a file moved away (and of a folder put in its place)', async () => {
    const file = join(dir, 'w.log');
    const f = new RotatingFile({
      file,
      rotateBytes: 1 << 20,
      maxPendingBytes: 1 << 20,
      dropMarker: marker,
      recheckMs: 0,
      retryMinMs: 10,
      retryMaxMs: 40,
    });
    f.write('one\n');
    await f.idle();
    renameSync(file, `${file}.moved`);
    mkdirSync(file); // the path now names a folder: the writer must not keep feeding the moved file
    f.write('two\n');
    await until(() => f.stats().errors >= 2);
    rmdirSync(file);
    await until(() => f.stats().pendingBytes === 0);
    expect(readFileSync(`${file}.moved`, 'utf8')).toBe('one\n');
    expect(readFileSync(file, 'utf8')).toBe('two\n');
    renameSync(file, `${file}.moved`);
    writeFileSync(file, ''); // replaced by another file (logrotate's create)
    f.write('three\n');
    await f.idle();
    expect(readFileSync(`${file}.moved`, 'utf8')).toBe('two\n');
    expect(readFileSync(file, 'utf8')).toBe('three\n');
    await f.close();
  });

  it('fails while its folder cannot be created, keeps what fits, and recovers', async () => {
    const blocker = join(dir, 'blocker'); // a file where the folder should be: fails even as root
    writeFileSync(blocker, '');
    const file = join(blocker, 'logs', 'w.log');
    const f = new RotatingFile({
      file,
      rotateBytes: 1 << 20,
      maxPendingBytes: 1 << 20,
      dropMarker: marker,
      retryMinMs: 10,
      retryMaxMs: 40,
    });
    f.write('kept while failing\n');
    await until(() => f.stats().errors >= 2); // retried with backoff
    rmSync(blocker);
    f.write('after recovery\n');
    await until(() => f.stats().pendingBytes === 0);
    expect(readFileSync(file, 'utf8')).toBe('kept while failing\nafter recovery\n');
    expect(f.stats().linesDropped).toBe(0);
    await f.close();
  });

  it.skipIf(process.platform === 'win32')(
    'creates the folder 0700 and the file 0600, tightening old ones',
    async () => {
      const logs = join(dir, 'logs');
      mkdirSync(logs, { mode: 0o755 });
      chmodSync(logs, 0o755);
      const old = join(logs, 'old.log');
      writeFileSync(old, 'x\n', { mode: 0o644 });
      chmodSync(old, 0o644);
      for (const file of [old, join(dir, 'fresh', 'w.log')]) {
        const f = new RotatingFile({
          file,
          rotateBytes: 1 << 20,
          maxPendingBytes: 1 << 20,
          dropMarker: marker,
        });
        f.write('line\n');
        await f.close();
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
      }
    },
  );
});

describe('RotatingFile, when the file system fails it', () => {
  it('fileId: a path through a file is no file; other failures are errors', async () => {
    const plain = join(dir, 'plain');
    writeFileSync(plain, '');
    await expect(nodeFileOps.fileId(join(plain, 'x.log'))).resolves.toBeNull(); // ENOTDIR
    await expect(nodeFileOps.fileId(join(dir, 'missing.log'))).resolves.toBeNull();
    await expect(nodeFileOps.fileId(dir)).resolves.toBeNull(); // a folder
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    await expect(nodeFileOps.fileId(join(dir, 'loop-a'))).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('openAppend closes the file it opened when it cannot finish opening it', async () => {
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    await probe.close();
    const stat = vi.spyOn(proto, 'stat').mockRejectedValueOnce(new Error('EIO: i/o error'));
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    try {
      await expect(nodeFileOps.openAppend(join(dir, 'w.log'))).rejects.toThrow('EIO');
      expect(fds()).toBe(before);
    } finally {
      stat.mockRestore();
    }
  });

  it('lines refused while the file fails are marked as lost to a file error', async () => {
    let failing = true;
    const ops: FileOps = {
      ...nodeFileOps,
      openAppend: (file) =>
        failing ? Promise.reject(new Error('EIO: i/o error')) : nodeFileOps.openAppend(file),
    };
    const file = join(dir, 'w.log');
    const f = new RotatingFile({
      file,
      fs: ops,
      rotateBytes: 1 << 20,
      maxPendingBytes: 200,
      dropMarker: marker,
      retryMinMs: 10,
      retryMaxMs: 20,
    });
    f.write(record(1));
    await until(() => f.stats().errors >= 1);
    for (let i = 2; i <= 4; i++) f.write(record(i)); // 97 bytes each: the third does not fit
    expect(f.stats().linesDropped).toBe(2);
    failing = false;
    await until(() => f.stats().pendingBytes === 0);
    f.write(record(5));
    await until(() => f.stats().pendingBytes === 0);
    expect(readFileSync(file, 'utf8')).toBe(
      [record(1), record(2), marker(2, 'file error'), record(5)].join(''),
    );
    await f.close();
  });

  it('an open that ends after close is closed at once', async () => {
    let finish = (): void => undefined;
    const gate = new Promise<void>((r) => (finish = r));
    let closed = 0;
    const ops: FileOps = {
      ...nodeFileOps,
      ensureDir: async () => undefined,
      openAppend: async () => {
        await gate;
        return {
          size: 0,
          handle: { append: async () => undefined, close: async () => void closed++ },
        };
      },
      fileId: async () => 'id',
    };
    const f = new RotatingFile({
      file: join(dir, 'w.log'),
      fs: ops,
      rotateBytes: 1 << 20,
      maxPendingBytes: 1 << 20,
      dropMarker: marker,
      closeTimeoutMs: 20,
    });
    f.write(record(1));
    await f.close(); // gives up on the hung open
    expect(f.stats().linesDropped).toBe(1);
    finish();
    await until(() => closed === 1);
  });

  it('rotates on when the file to rotate is already gone; another rename failure is an error', async () => {
    const renameFailing = (code: string): FileOps => ({
      ...nodeFileOps,
      rename: () => Promise.reject(Object.assign(new Error(code), { code })),
    });
    for (const [code, rotations, errors] of [
      ['ENOENT', 1, 0],
      ['EACCES', 0, 1],
    ] as const) {
      const f = new RotatingFile({
        file: join(dir, `${code}.log`),
        fs: renameFailing(code),
        rotateBytes: 1024,
        maxPendingBytes: 1 << 20,
        dropMarker: marker,
        retryMinMs: 60_000,
      });
      for (let i = 0; i < 10; i++) f.write(record(i)); // 970 bytes: fits
      await until(() => f.stats().pendingBytes === 0);
      f.write(record(10)); // would pass 1024: rotate first
      await until(() => f.stats().rotations + f.stats().errors > 0);
      expect(f.stats()).toMatchObject({ rotations, errors });
      await f.close();
    }
  });
});
