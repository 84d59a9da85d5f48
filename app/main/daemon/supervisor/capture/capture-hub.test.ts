import { EventEmitter } from 'node:events';
import type { FSWatcher } from 'node:fs';
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogLine } from '../../../../shared/index.ts';
import { waitFor } from '../../../../../test/support/wait-for.ts';
import { createWorkerLog, type WorkerLog } from '../logs/index.ts';
import { createCaptureHub, turnScheduler, workerIdOfFile, type CaptureHub } from './capture-hub.ts';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('capture turn scheduler', () => {
  it('reads within one budget per turn, workers taking turns, and yields between turns', async () => {
    const s = turnScheduler(100);
    const reads: string[] = [];
    // Each worker has 120 bytes waiting and reads what the budget allows.
    const worker = (name: string) => {
      let left = 120;
      const pump = (budget: number): number => {
        const n = Math.min(left, budget);
        left -= n;
        reads.push(`${name}${n}`);
        if (left > 0) s.request(pump);
        return n;
      };
      return pump;
    };
    s.request(worker('a'));
    s.request(worker('b'));
    expect(reads).toEqual([]); // never in the caller's turn
    await turn();
    expect(reads).toEqual(['a100']);
    let between = false;
    setImmediate(() => (between = true)); // something else queued for the next turn
    await turn();
    expect(between).toBe(true);
    for (let i = 0; i < 5; i++) await turn();
    expect(reads).toEqual(['a100', 'b100', 'a20', 'b20']);
  });

  it('a worker left waiting when the budget ran out reads on a later turn', async () => {
    const s = turnScheduler(10);
    const reads: string[] = [];
    // a spends the whole budget and is done; b, queued behind it, must not be forgotten.
    s.request((budget) => (reads.push('a'), budget));
    s.request((budget) => (reads.push('b'), budget));
    for (let i = 0; i < 4; i++) await turn();
    expect(reads).toEqual(['a', 'b']);
  });
});

describe('workerIdOfFile', () => {
  it('names the worker of an output file, and nothing for other names', () => {
    expect(workerIdOfFile('w1.out')).toBe('w1');
    expect(workerIdOfFile('w1.err')).toBe('w1');
    expect(workerIdOfFile('w.1.out')).toBe('w.1');
    expect(workerIdOfFile('.out')).toBeNull();
    expect(workerIdOfFile('README')).toBeNull();
    expect(workerIdOfFile(null)).toBeNull(); // a platform that does not name the file
  });
});

const hubs: CaptureHub[] = [];
const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const h of hubs.splice(0)) h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'hub-'));
  dirs.push(d);
  return d;
}

function sink(workerId = 'w1'): { log: WorkerLog; lines: string[] } {
  const lines: string[] = [];
  const log = createWorkerLog({ workerId, file: null, onLine: (l: LogLine) => lines.push(l.line) });
  return { log, lines };
}

function hub(o: Omit<Parameters<typeof createCaptureHub>[0], 'platform'>): CaptureHub {
  const h = createCaptureHub({ platform: 'linux', ...o });
  hubs.push(h);
  return h;
}

/** Resources that would keep a daemon's event loop alive. */
const keepingAlive = (): string[] =>
  process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'FSEventWrap');

/** A stand-in for fs.watch's watcher. */
class FakeWatcher extends EventEmitter {
  closed = 0;
  close(): void {
    this.closed++;
  }
}

describe('capture hub', () => {
  it('makes its folder 0700 and wakes a worker as soon as its file changes, holding no daemon alive', async () => {
    const dir = join(tempDir(), 'logs', 'capture');
    const before = keepingAlive();
    const h = hub({ dir, pollMs: 3_600_000 }); // no poll within the test: only the watch wakes
    const { log, lines } = sink();
    const c = h.capture('w1', log);
    expect(keepingAlive()).toEqual(before); // the watch and the poll are unref'd
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    c.openForSpawn().release();
    c.follow();
    await turn();
    await turn();
    appendFileSync(join(dir, 'w1.out'), 'hello\n');
    await waitFor('the line, woken by the watch', () => lines.includes('hello'), 10_000);
  });

  it('polls on the interval it is given (default 500 ms), and stops polling on close', () => {
    const set = vi.spyOn(globalThis, 'setInterval');
    const clear = vi.spyOn(globalThis, 'clearInterval');
    const dir = tempDir();
    const watch = () => new FakeWatcher() as unknown as FSWatcher;
    const h = hub({ dir, pollMs: 1234, watch });
    expect(set).toHaveBeenLastCalledWith(expect.any(Function), 1234);
    hub({ dir, watch });
    expect(set).toHaveBeenLastCalledWith(expect.any(Function), 500);
    h.close();
    expect(clear).toHaveBeenCalledWith(set.mock.results[0]?.value);
  });

  it('without a working watch, the poll reads on and tries to watch again', async () => {
    const dir = tempDir();
    const watchers: FakeWatcher[] = [];
    let calls = 0;
    const watch = (): FSWatcher => {
      calls++;
      if (calls === 1) throw new Error('ENOSPC: no inotify watches left');
      const w = new FakeWatcher();
      watchers.push(w);
      return w as unknown as FSWatcher;
    };
    const h = hub({ dir, pollMs: 20, watch });
    const { log, lines } = sink();
    const c = h.capture('w1', log);
    expect(calls).toBe(1);
    c.openForSpawn().release();
    c.follow();
    await turn();
    await turn();
    appendFileSync(join(dir, 'w1.out'), 'by the poll\n');
    await waitFor('the line, read by the poll', () => lines.includes('by the poll'), 10_000);
    await waitFor('a second watch', () => watchers.length === 1);
    // A watch that fails later is closed; the poll starts another.
    watchers[0]?.emit('error', new Error('EPERM'));
    expect(watchers[0]?.closed).toBe(1);
    await waitFor('a third watch', () => watchers.length === 2);
    appendFileSync(join(dir, 'w1.out'), 'still read\n');
    await waitFor('the next line', () => lines.includes('still read'), 10_000);
    h.close();
    expect(watchers[1]?.closed).toBe(1);
    // An error the closed watch reports late changes nothing.
    expect(() => watchers[1]?.emit('error', new Error('late'))).not.toThrow();
    expect(watchers[1]?.closed).toBe(1);
  });

  it('hands its limits, hole punch, error and counter hooks to every capture', async () => {
    const dir = tempDir();
    const punched: Array<[number, number]> = [];
    const errors: string[] = [];
    const counted: Array<[string, string, number, number]> = [];
    const h = hub({
      dir,
      watch: () => new FakeWatcher() as unknown as FSWatcher,
      limits: { reclaimBytes: 4096 },
      punchHole: async (_file, offset, length) => void punched.push([offset, length]),
      onError: (e) => errors.push(String(e)),
      counters: {
        output: (id, stream, bytes, lines) => void counted.push([id, stream, bytes, lines]),
        skipped: () => undefined,
      },
    });
    writeFileSync(join(dir, 'w2.cursor.json'), 'not json');
    h.capture('w2', sink('w2').log);
    expect(errors).toEqual([expect.stringContaining('w2.cursor.json: not a cursor file')]);

    const c = h.capture('w1', sink().log);
    c.openForSpawn().release();
    c.follow();
    await turn();
    appendFileSync(join(dir, 'w1.out'), `${'x'.repeat(99)}\n`.repeat(100)); // 10 000 bytes
    c.poke();
    await waitFor('the punch', () => punched.length === 1);
    expect(punched).toEqual([[0, 8192]]);
    expect(counted).toEqual([['w1', 'out', 10_000, 100]]);
  });

  it('keeps one capture per worker: a replaced one closing leaves its successor, a closed one leaves', () => {
    const dir = tempDir();
    const h = hub({ dir, watch: () => new FakeWatcher() as unknown as FSWatcher });
    const first = h.capture('w1', sink().log);
    const second = h.capture('w1', sink().log);
    h.capture('w2', sink('w2').log).follow();
    expect(h.workerIds()).toEqual(['w1', 'w2']);
    first.close();
    expect(h.workerIds()).toEqual(['w1', 'w2']);
    second.close();
    expect(h.workerIds()).toEqual(['w2']);
    // Closing the hub closes every capture: each saves where it stopped reading.
    h.close();
    expect(h.workerIds()).toEqual([]);
    expect(existsSync(join(dir, 'w2.cursor.json'))).toBe(true);
  });
});
