// A worker's capture in process, its reads run by hand (a scheduler that queues them): what it
// counts, how it asks for more turns, and what it says when a file or the cursor fails it.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../../test/support/wait-for.ts';
import { createWorkerLog } from '../logs/index.ts';
import {
  discardOutput,
  WorkerCapture,
  type CaptureLimits,
  type PunchHole,
  type WorkerCaptureOptions,
} from './worker-capture.ts';

const dirs: string[] = [];
const captures: WorkerCapture[] = [];
afterEach(() => {
  for (const c of captures.splice(0)) c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'capture-unit-'));
  dirs.push(d);
  return d;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

function setup(
  o: {
    dir?: string;
    workerId?: string;
    limits?: Partial<CaptureLimits>;
    punchHole?: PunchHole;
    platform?: NodeJS.Platform;
    /** Stands in for the log file's flush (default: already flushed). */
    flushed?: () => Promise<void>;
  } = {},
) {
  const dir = o.dir ?? tempDir();
  const lines: string[] = [];
  const errors: string[] = [];
  const counted: string[] = [];
  const queue: Array<(budget: number) => number> = [];
  let closes = 0;
  const log = createWorkerLog({ workerId: 'w1', file: null, onLine: (l) => lines.push(l.line) });
  const options: WorkerCaptureOptions = {
    workerId: o.workerId ?? 'w1',
    dir,
    log: o.flushed ? { ...log, flushed: o.flushed } : log,
    onClose: () => void closes++,
    platform: o.platform ?? 'linux',
    limits: { cursorDelayMs: 60_000, ...o.limits },
    onError: (e) => errors.push(e instanceof Error ? e.message : String(e)),
    scheduler: { request: (pump) => void queue.push(pump) },
    counters: {
      output: (id, stream, bytes, n) => void counted.push(`${id} ${stream} ${bytes} ${n}`),
      skipped: (id, bytes) => void counted.push(`${id} skipped ${bytes}`),
    },
    ...(o.punchHole ? { punchHole: o.punchHole } : {}),
  };
  const c = new WorkerCapture(options);
  captures.push(c);
  /** Run the queued reads, as the scheduler's turns would. */
  const turn = (budget = 1 << 20): number => {
    let read = 0;
    for (const pump of queue.splice(0)) read += pump(budget);
    return read;
  };
  const cursor = (): unknown => JSON.parse(readFileSync(join(dir, 'w1.cursor.json'), 'utf8'));
  return { c, dir, lines, errors, counted, queue, turn, cursor, closes: () => closes };
}

const idOf = (path: string): string => {
  const st = statSync(path, { bigint: true });
  return `${st.dev}:${st.ino}`;
};
const keepingAlive = (): string[] =>
  process.getActiveResourcesInfo().filter((r) => r === 'Timeout');

describe('worker capture, in process', () => {
  it('counts bytes and lines per stream, and what it skipped', () => {
    const s = setup({ limits: { maxBacklogBytes: 8 } });
    writeFileSync(join(s.dir, 'w1.out'), 'a\nbc\nd'); // 6 bytes, 2 line ends
    writeFileSync(join(s.dir, 'w1.err'), '1234567ab\n\ncdef'); // 15 bytes: 7 skipped
    s.c.follow();
    s.turn();
    expect(s.counted).toEqual(['w1 out 6 2', 'w1 skipped 7', 'w1 err 8 2']);
    expect(s.c.stats()).toMatchObject({ bytesRead: 14, bytesSkipped: 7 });
  });

  it('reads at most pumpBytes per file a turn and asks for another turn while more waits', () => {
    const s = setup({ limits: { pumpBytes: 10 } });
    writeFileSync(join(s.dir, 'w1.out'), 'line one\nline two\nline 3\n'); // 25 bytes
    s.c.follow();
    expect(s.queue).toHaveLength(1);
    expect(s.turn()).toBe(10);
    expect(s.queue).toHaveLength(1);
    expect(s.turn(4)).toBe(4); // the shared budget is smaller still
    expect(s.turn()).toBe(10);
    expect(s.turn()).toBe(1);
    expect(s.queue).toHaveLength(0);
    expect(s.lines).toEqual(['line one', 'line two', 'line 3']);
  });

  it('says so in the log when someone else truncated the file, and reads on from its start', () => {
    const s = setup();
    const out = join(s.dir, 'w1.out');
    s.c.openForSpawn().release();
    appendFileSync(out, 'before\n');
    s.c.follow();
    s.turn();
    truncateSync(out, 0);
    appendFileSync(out, 'after\n');
    s.c.poke();
    s.turn();
    expect(s.lines).toEqual([
      'before',
      '',
      '[orchestrator] the output file was truncated by someone else; reading from its start',
      'after',
    ]);
  });

  it('an output file it cannot read is reported, and the other stream is still read', () => {
    const s = setup();
    execFileSync('mkfifo', [join(s.dir, 'w1.out')]); // opens, but cannot be read at an offset
    writeFileSync(join(s.dir, 'w1.err'), 'err line\n');
    s.c.follow();
    s.turn();
    expect(s.errors).toEqual([expect.stringMatching(/ESPIPE/)]);
    expect(s.lines).toEqual(['err line']);
    s.c.finish(); // the last read after the exit reports it too
    expect(s.errors).toHaveLength(2);
  });

  it('files it cannot open for a spawn throw, and leave no descriptor open', () => {
    const s = setup();
    mkdirSync(join(s.dir, 'w1.err')); // a folder where the stderr file goes
    const before = openFds();
    expect(() => s.c.openForSpawn()).toThrow(/EISDIR/);
    s.c.close();
    expect(openFds()).toBe(before);
  });

  it('Linux: a file system that cannot punch holes is reported once, and truncating takes over', async () => {
    const s = setup({
      limits: { reclaimBytes: 1000 },
      punchHole: () => Promise.reject(new Error('Operation not supported')),
    });
    expect(s.c.stats().reclaimMode).toBe('punch');
    s.c.openForSpawn().release();
    appendFileSync(join(s.dir, 'w1.out'), `${'z'.repeat(5000)}\n`);
    s.c.follow();
    s.turn();
    await new Promise((r) => setImmediate(r));
    expect(s.errors).toEqual([
      'worker w1: cannot punch holes in its output files (Operation not supported); truncating them once read instead',
    ]);
    expect(s.c.stats().reclaimMode).toBe('truncate');
  });

  it('a cursor file it cannot read is reported and reading starts over; one it cannot write is reported', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'w1.cursor.json'),
      JSON.stringify({ version: 2, out: null, err: null }),
    );
    const bad = setup({ dir });
    expect(bad.errors).toEqual([
      `${join(dir, 'w1.cursor.json')}: not a cursor file; reading from the start`,
    ]);
    bad.c.close();

    const s = setup();
    mkdirSync(join(s.dir, 'w1.cursor.json')); // a folder in the cursor's place
    s.c.close();
    expect(s.errors).toEqual([expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/)]);
  });

  it('a worker id that could lead out of the capture folder is refused, quoted and shortened', () => {
    expect(() => setup({ workerId: '../etc' })).toThrow('worker id "../etc" cannot name a file');
    const long = `/${'x'.repeat(200)}`;
    expect(() => setup({ workerId: long })).toThrow(
      `worker id ${JSON.stringify(long.slice(0, 80))} cannot name a file`,
    );
  });
});

describe('worker capture, its reads and its cursor', () => {
  it('reads only once followed, one request at a time, and nothing once finished or closed', () => {
    const s = setup();
    writeFileSync(join(s.dir, 'w1.out'), 'a\n');
    s.c.poke();
    expect(s.queue).toHaveLength(0);
    s.c.follow();
    s.c.poke();
    s.c.poke();
    expect(s.queue).toHaveLength(1);
    s.turn();
    s.c.finish();
    s.c.poke();
    expect(s.queue).toHaveLength(0);
    s.c.follow();
    s.c.close();
    expect(s.closes()).toBe(1);
    s.c.follow();
    s.c.poke();
    s.turn();
    expect(s.queue).toHaveLength(0);
    s.c.close();
    expect(s.closes()).toBe(1);
    expect(s.lines).toEqual(['a']);
  });

  it('a new process: what the last one left is read, its last line ended, the files emptied and 0600', () => {
    const s = setup();
    const out = join(s.dir, 'w1.out');
    writeFileSync(out, 'left over\nno newline', { mode: 0o644 });
    chmodSync(out, 0o644);
    writeFileSync(join(s.dir, 'w1.err'), 'err left\n');
    const before = openFds();
    const io = s.c.openForSpawn();
    expect(s.lines).toEqual(['left over', 'err left', 'no newline']);
    expect(statSync(out).size).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(openFds()).toBe(before + 4); // the child's two, and the reader's two
    io.release();
    expect(openFds()).toBe(before + 2);
    io.release(); // closing twice is harmless
    s.c.close();
    expect(openFds()).toBe(before);
    // The cursor names the files the new process writes, from their start.
    expect(s.cursor()).toEqual({
      version: 1,
      out: { id: idOf(out), offset: 0 },
      err: { id: idOf(join(s.dir, 'w1.err')), offset: 0 },
    });
  });

  it('a first process: the cursor names the files it was given', () => {
    const s = setup();
    s.c.openForSpawn().release();
    s.c.close();
    expect(s.cursor()).toEqual({
      version: 1,
      out: { id: idOf(join(s.dir, 'w1.out')), offset: 0 },
      err: { id: idOf(join(s.dir, 'w1.err')), offset: 0 },
    });
  });

  it('the end of a process: both files read to the end and the last line ended', () => {
    const s = setup();
    s.c.openForSpawn().release();
    s.c.follow();
    s.turn();
    appendFileSync(join(s.dir, 'w1.out'), 'last out');
    appendFileSync(join(s.dir, 'w1.err'), 'last err\n');
    s.c.finish();
    expect(s.lines).toEqual(['last err', 'last out']);
    expect(s.errors).toEqual([]);
  });

  it('close reads what is left of both files first, then lets go of them', () => {
    const s = setup();
    s.c.openForSpawn().release();
    s.c.follow();
    s.turn();
    appendFileSync(join(s.dir, 'w1.out'), 'late out\n');
    appendFileSync(join(s.dir, 'w1.err'), 'late err\n');
    const before = openFds();
    s.c.close();
    expect(s.lines).toEqual(['late out', 'late err']);
    expect(openFds()).toBe(before - 2);
    appendFileSync(join(s.dir, 'w1.out'), 'after close\n');
    s.c.finish();
    expect(s.lines).toHaveLength(2);
    expect(openFds()).toBe(before - 2);
  });

  it('saves the cursor (0600) a moment after it read something, not when nothing was read', async () => {
    const s = setup({ limits: { cursorDelayMs: 10 } });
    s.c.follow();
    s.turn();
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(s.dir, 'w1.cursor.json'))).toBe(false);
    writeFileSync(join(s.dir, 'w1.out'), 'one\n');
    const before = keepingAlive();
    s.c.poke();
    s.turn();
    expect(keepingAlive()).toEqual(before); // the save's timer holds no daemon alive
    await waitFor('the cursor', () => existsSync(join(s.dir, 'w1.cursor.json')));
    expect(s.cursor()).toMatchObject({ out: { offset: 4 }, err: null });
    const file = join(s.dir, 'w1.cursor.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { ino } = statSync(file);
    s.c.close(); // nothing new: the file is left as it is
    expect(statSync(file).ino).toBe(ino);
  });

  it('the same after finish', async () => {
    const s = setup({ limits: { cursorDelayMs: 10 } });
    writeFileSync(join(s.dir, 'w1.out'), 'one\n');
    s.c.finish();
    await waitFor('the cursor', () => existsSync(join(s.dir, 'w1.cursor.json')));
    expect(s.cursor()).toMatchObject({ out: { offset: 4 } });
  });

  it('a save still waiting for the log file when the capture closes does not overwrite the newer cursor', async () => {
    let flush = (): void => undefined;
    let asked = 0;
    const s = setup({
      limits: { cursorDelayMs: 10 },
      flushed: () => (asked++, new Promise<void>((r) => (flush = r))),
    });
    writeFileSync(join(s.dir, 'w1.out'), 'one\n');
    s.c.follow();
    s.turn();
    await waitFor('the save to wait for the log', () => asked === 1);
    appendFileSync(join(s.dir, 'w1.out'), 'two\n');
    s.c.close();
    expect(s.cursor()).toMatchObject({ out: { offset: 8 } });
    flush();
    await new Promise((r) => setImmediate(r));
    expect(s.cursor()).toMatchObject({ out: { offset: 8 } });
  });
});

describe('worker capture, giving space back', () => {
  const block = 4096;

  it('Linux: punches whole blocks behind the reader each reclaimBytes, one punch at a time', async () => {
    const punched: Array<[number, number]> = [];
    let done = (): void => undefined;
    const s = setup({
      limits: { reclaimBytes: 2 * block },
      punchHole: (_file, offset, length) => {
        punched.push([offset, length]);
        return new Promise<void>((r) => (done = r));
      },
    });
    const out = join(s.dir, 'w1.out');
    s.c.openForSpawn().release();
    s.c.follow();
    const read = (bytes: number): void => {
      appendFileSync(out, Buffer.alloc(bytes, 0x61));
      s.c.poke();
      s.turn();
    };
    read(block);
    expect(punched).toEqual([]);
    read(block); // 8192 read: reclaimBytes reached exactly
    expect(punched).toEqual([[0, 2 * block]]);
    read(2 * block); // more than reclaimBytes again, but the first punch is still running
    expect(punched).toHaveLength(1);
    done();
    await new Promise((r) => setImmediate(r));
    expect(s.c.stats().reclaims).toBe(1);
    read(100); // 16484 read, 8192 given back: the next punch, up to the last whole block
    expect(punched).toEqual([
      [0, 2 * block],
      [2 * block, 2 * block],
    ]);
    done();
    await new Promise((r) => setImmediate(r));
    read(block); // 20580 read, 16384 given back: less than reclaimBytes since
    expect(punched).toHaveLength(2);
    expect(s.c.stats().reclaims).toBe(2);
  });

  it('Linux: below one whole block nothing is punched', () => {
    const punched: unknown[] = [];
    const s = setup({
      limits: { reclaimBytes: 1000 },
      punchHole: async (...args) => void punched.push(args),
    });
    s.c.openForSpawn().release();
    appendFileSync(join(s.dir, 'w1.out'), Buffer.alloc(3000, 0x61));
    s.c.follow();
    s.turn();
    expect(punched).toEqual([]);
  });

  it('elsewhere: truncates only once everything written has been read', () => {
    const s = setup({ platform: 'darwin', limits: { reclaimBytes: 10, pumpBytes: 10 } });
    const out = join(s.dir, 'w1.out');
    s.c.openForSpawn().release();
    appendFileSync(out, 'line one\nline two\n'); // 18 bytes: two reads of 10
    s.c.follow();
    s.turn();
    expect(statSync(out).size).toBe(18);
    s.turn();
    expect(statSync(out).size).toBe(0);
    expect(s.lines).toEqual(['line one', 'line two']);
    expect(s.c.stats()).toMatchObject({ reclaimMode: 'truncate', reclaims: 1 });
  });
});

describe('discardOutput', () => {
  it('gives a process no output files and counts nothing', () => {
    const d = discardOutput();
    const io = d.openForSpawn();
    expect(io.stdio).toEqual(['ignore', 'ignore', 'ignore']);
    io.release();
    d.follow();
    d.poke();
    d.finish();
    d.close();
    expect(d.stats()).toEqual({
      bytesRead: 0,
      bytesSkipped: 0,
      reclaims: 0,
      reclaimMode: 'truncate',
    });
  });
});
