// A restarted daemon fills a worker's ring from the end of its log file (§4.6 records).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkerLog, readLogTail } from './index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'log-tail-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ISO = '2026-01-02T03:04:05.006Z';
const TS = Date.parse(ISO);
const record = (text: string, stream = 'out'): string => `${ISO} ${stream} ${text}`;
const line = (text: string, stream = 'out') => ({ ts: TS, stream, line: text });

function logFile(content: string): string {
  const file = join(dir, 'w1.log');
  writeFileSync(file, content);
  return file;
}

describe('readLogTail', () => {
  it('the newest records, oldest first, past lines that are not records', () => {
    const file = logFile(
      `${[record('one'), 'not a record', record('two', 'err'), record('three'), record('four')].join('\n')}\n`,
    );
    expect(readLogTail(file, 2)).toEqual([line('three'), line('four')]);
    expect(readLogTail(file, 3)).toEqual([line('two', 'err'), line('three'), line('four')]);
    expect(readLogTail(file, 10)).toEqual([
      line('one'),
      line('two', 'err'),
      line('three'),
      line('four'),
    ]);
  });

  it('counts a last record without its newline', () => {
    const file = logFile([record('one'), record('two'), record('three')].join('\n'));
    expect(readLogTail(file, 2)).toEqual([line('two'), line('three')]);
  });

  it('reads only the last MiB of a big file, and drops the record it cut into', () => {
    const tail = `${record('inside')}\n`; // what the cut leaves of the first record
    const first = `${record('x'.repeat(10))}${tail}`;
    // The second record ends the file 1 MiB after the cut.
    const second = `${record('y'.repeat(1024 * 1024 - tail.length - record('').length - 1))}\n`;
    expect(tail.length + second.length).toBe(1024 * 1024);
    const file = logFile(first + second);
    const got = readLogTail(file, 5);
    expect(got.map((l) => l.line.slice(0, 3))).toEqual(['yyy']);
  });

  it('is empty for a file that is missing or unreadable, and holds no descriptor', () => {
    expect(readLogTail(join(dir, 'missing.log'), 5)).toEqual([]);
    const folder = join(dir, 'folder.log');
    mkdirSync(folder);
    const before = readdirSync('/proc/self/fd').length;
    expect(readLogTail(folder, 5)).toEqual([]);
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('restores the ring of a worker log only when asked', async () => {
    const file = logFile(`${[record('one'), record('two'), record('three')].join('\n')}\n`);
    const restored = createWorkerLog({ workerId: 'w1', file, ringSize: 2, restore: true });
    expect(restored.tail()).toEqual([line('two'), line('three')]);
    const fresh = createWorkerLog({ workerId: 'w1', file, ringSize: 2 });
    expect(fresh.tail()).toEqual([]);
    const noFile = createWorkerLog({ workerId: 'w1', file: null, restore: true });
    expect(noFile.tail()).toEqual([]);
    await Promise.all([restored.close(), fresh.close(), noFile.close()]);
  });
});
