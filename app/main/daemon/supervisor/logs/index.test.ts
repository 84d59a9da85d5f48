import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../../test/support/wait-for.ts';
import type { LogLine } from '../../../../shared/index.ts';
import { createWorkerLog, nodeFileOps } from './index.ts';
import type { FileOps, WorkerLogOptions } from './index.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'worker-log-'));
  file = join(dir, 'logs', 'w1.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
const log = (opts: Partial<WorkerLogOptions> = {}) =>
  createWorkerLog({ workerId: 'w1', file, now: () => T0, ...opts });
const buf = (s: string): Buffer => Buffer.from(s);
const fileLines = (path = file): string[] => readFileSync(path, 'utf8').split('\n').slice(0, -1);

const until = (cond: () => boolean): Promise<true> => waitFor('the condition', cond, 20_000, 10);

/** A disk whose appends wait until `release()`; `written()` counts the appends done. */
function gatedDisk(): { ops: FileOps; release: () => void; written: () => number } {
  let release = (): void => undefined;
  let written = 0;
  const gate = new Promise<void>((r) => (release = r));
  const ops: FileOps = {
    ...nodeFileOps,
    async openAppend(path) {
      const { handle, size } = await nodeFileOps.openAppend(path);
      return {
        size,
        handle: {
          append: async (d) => {
            await gate;
            await handle.append(d);
            written++;
          },
          close: () => handle.close(),
        },
      };
    },
  };
  return { ops, release: () => release(), written: () => written };
}

const enospc = (): Error =>
  Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });

describe('createWorkerLog', () => {
  it('captures each stream separately into the ring, the doors and the file in the §4.6 format', async () => {
    const seen: LogLine[] = [];
    const w = log({ onLine: (l) => seen.push(l) });
    w.push('out', buf('hello wor'));
    w.push('err', buf('oops\r\n'));
    w.push('out', buf('ld\r\nsecond\n'));
    expect(seen).toHaveLength(3); // synchronously, per line
    await w.close();
    const expected: LogLine[] = [
      { ts: T0, stream: 'err', line: 'oops' },
      { ts: T0, stream: 'out', line: 'hello world' },
      { ts: T0, stream: 'out', line: 'second' },
    ];
    expect(w.tail()).toEqual(expected);
    expect(seen).toEqual(expected);
    expect(readFileSync(file, 'utf8')).toBe(
      '2026-01-02T03:04:05.006Z err oops\n' +
        '2026-01-02T03:04:05.006Z out hello world\n' +
        '2026-01-02T03:04:05.006Z out second\n',
    );
    expect(w.stats()).toEqual({
      linesCaptured: 3,
      linesCut: 0,
      bytesDiscarded: 0,
      fileLinesDropped: 0,
      fileErrors: 0,
      rotations: 0,
    });
  });

  it('flushPartial emits each stream’s unterminated tail', () => {
    const w = log({ file: null });
    w.push('out', buf('a\npartial out'));
    w.push('err', buf('partial err'));
    expect(w.tail().map((l) => l.line)).toEqual(['a']);
    w.flushPartial();
    expect(w.tail().map((l) => `${l.stream}:${l.line}`)).toEqual([
      'out:a',
      'out:partial out',
      'err:partial err',
    ]);
  });

  it('keeps exactly the last 500 lines', () => {
    const w = log({ file: null });
    for (let i = 0; i < 1200; i++) w.push(i % 2 ? 'err' : 'out', buf(`line ${i}\n`));
    const all = w.tail();
    expect(all).toHaveLength(500);
    expect(all[0]?.line).toBe('line 700');
    expect(all.at(-1)?.line).toBe('line 1199');
    expect(w.tail(2).map((l) => l.line)).toEqual(['line 1198', 'line 1199']);
    expect(w.stats().linesCaptured).toBe(1200);
  });

  it('cuts a 1 MB line without a newline and lets the next line through intact', async () => {
    const w = log();
    w.push('out', Buffer.alloc(1024 * 1024, 'z'));
    w.push('out', buf('\nnormal line\n'));
    const lines = w.tail();
    expect(lines.map((l) => Buffer.byteLength(l.line))).toEqual([8192, 11]);
    expect(lines[1]?.line).toBe('normal line');
    expect(w.stats()).toMatchObject({ linesCut: 1, bytesDiscarded: 1024 * 1024 - 8192 });
    await w.close();
    expect(fileLines()[1]).toBe('2026-01-02T03:04:05.006Z out normal line');
  });

  it('survives a throwing onLine', () => {
    let calls = 0;
    const w = log({
      file: null,
      onLine: () => {
        calls++;
        throw new Error('consumer bug');
      },
    });
    expect(() => w.push('out', buf('one\ntwo\n'))).not.toThrow();
    expect(calls).toBe(2);
    expect(w.tail().map((l) => l.line)).toEqual(['one', 'two']);
  });

  it('scrubs token-looking strings', () => {
    const w = log({ file: null });
    w.push('err', buf('using wrk_abcdefghijklmnop now\n'));
    expect(w.tail()[0]?.line).toBe('using wrk_a… now');
  });

  it('rotates at rotateBytes so the live file stays within it', async () => {
    const w = log({ rotateBytes: 10 * 1024, maxLineBytes: 1024 });
    const chunk = buf(Array.from({ length: 100 }, (_, i) => `${'p'.repeat(60)} ${i}\n`).join(''));
    for (let i = 0; i < 10; i++) w.push('out', chunk);
    await w.close();
    expect(statSync(file).size).toBeLessThanOrEqual(10 * 1024);
    expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(10 * 1024);
    expect(fileLines().at(-1)).toMatch(/ out p+ 99$/);
    expect(w.stats().rotations).toBeGreaterThanOrEqual(5); // ~94 KB written
    expect(w.stats().fileLinesDropped).toBe(0);
  });

  it('drops whole lines beyond maxPendingFileBytes while the disk is slow, then writes a marker', async () => {
    const { ops: slow, release, written } = gatedDisk();
    const w = log({ fs: slow, maxLineBytes: 1024, maxPendingFileBytes: 16 * 1024 });
    for (let i = 0; i < 1000; i++) w.push('out', buf(`${i} ${'s'.repeat(70)}\n`));
    const dropped = w.stats().fileLinesDropped;
    expect(dropped).toBeGreaterThan(700); // ~100 B per record: only ~160 fit in 16 KiB
    expect(w.tail()).toHaveLength(500); // the ring and the doors lose nothing
    release();
    await until(() => written() === 1); // the queue went out in one write: room again
    w.push('err', buf('after\n'));
    await w.close();
    const lines = fileLines();
    expect(lines).toHaveLength(1000 - dropped + 2);
    expect(lines.slice(-2)).toEqual([
      `2026-01-02T03:04:05.006Z err … ${dropped} lines dropped (disk slow)`,
      '2026-01-02T03:04:05.006Z err after',
    ]);
  });

  it('degrades on a failing disk without throwing and recovers', async () => {
    let broken = false;
    const failing: FileOps = {
      ...nodeFileOps,
      async openAppend(path) {
        const { handle, size } = await nodeFileOps.openAppend(path);
        return {
          size,
          handle: {
            append: (d) => (broken ? Promise.reject(enospc()) : handle.append(d)),
            close: () => handle.close(),
          },
        };
      },
    };
    const seen: string[] = [];
    const w = log({
      fs: failing,
      fileRetryMinMs: 10,
      fileRetryMaxMs: 40,
      onLine: (l) => seen.push(l.line),
    });
    w.push('out', buf('a\n'));
    await until(() => existsSync(file) && statSync(file).size > 0);
    broken = true;
    expect(() => w.push('out', buf('b\n'))).not.toThrow();
    await until(() => w.stats().fileErrors >= 1);
    broken = false;
    w.push('out', buf('c\n'));
    await until(() => fileLines().length === 3);
    await w.close();
    expect(fileLines().map((l) => l.slice(25))).toEqual([
      'out a',
      'err … 1 line dropped (file error)',
      'out c',
    ]);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(w.tail().map((l) => l.line)).toEqual(['a', 'b', 'c']);
    // A retry may fire (and fail) before the disk is fixed; each failure counts, lines once.
    expect(w.stats().fileErrors).toBeGreaterThanOrEqual(1);
    expect(w.stats().fileLinesDropped).toBe(1);
  });

  it('keeps lines queued while the file cannot be opened, retrying with backoff', async () => {
    let opens = 0;
    const refusing: FileOps = {
      ...nodeFileOps,
      openAppend: (path) =>
        ++opens <= 3 ? Promise.reject(enospc()) : nodeFileOps.openAppend(path),
    };
    const w = log({ fs: refusing, fileRetryMinMs: 10, fileRetryMaxMs: 40 });
    w.push('out', buf('queued\n'));
    await until(() => existsSync(file) && fileLines().length === 1);
    expect(fileLines()[0]).toBe('2026-01-02T03:04:05.006Z out queued');
    expect(w.stats()).toMatchObject({ fileErrors: 3, fileLinesDropped: 0 });
    await w.close();
  });

  it('after close, lines reach only the ring', async () => {
    const w = log();
    w.push('out', buf('kept\n'));
    await w.close();
    await w.close();
    w.push('out', buf('ring only\n'));
    expect(w.tail().map((l) => l.line)).toEqual(['kept', 'ring only']);
    expect(fileLines()).toHaveLength(1);
  });

  it('rejects limits that cannot hold a line, naming the field', () => {
    expect(() => log({ rotateBytes: 4096, maxLineBytes: 8192 })).toThrow(/rotateBytes/);
    expect(() => log({ maxPendingFileBytes: 4096, maxLineBytes: 8192 })).toThrow(
      /maxPendingFileBytes/,
    );
    expect(() => log({ ringSize: 0 })).toThrow(/ringSize/);
    // Exactly one full line (8192 bytes and a record's 256 of prefix) is enough.
    expect(() => log({ rotateBytes: 8192 + 256, maxPendingFileBytes: 8192 + 256 })).not.toThrow();
  });

  it('counts cut lines and discarded bytes of both streams', () => {
    const w = log({ file: null, maxLineBytes: 8 });
    w.push('out', buf('0123456789\n'));
    w.push('err', buf('abcdefghijkl\n'));
    expect(w.stats()).toMatchObject({ linesCut: 2, bytesDiscarded: 2 + 4 });
  });

  it('flushed resolves once what was captured is in the file', async () => {
    const { ops: slow, release } = gatedDisk();
    const w = log({ fs: slow });
    w.push('out', buf('one\n'));
    let flushed = false;
    const done = w.flushed().then(() => (flushed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(flushed).toBe(false);
    release();
    await done;
    expect(fileLines()).toEqual(['2026-01-02T03:04:05.006Z out one']);
    await w.close();
  });
});
