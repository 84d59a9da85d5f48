// A worker's capture in process, its reads run by hand (a scheduler that queues them): what it
// counts, how it asks for more turns, and what it says when a file or the cursor fails it.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
  } = {},
) {
  const dir = o.dir ?? tempDir();
  const lines: string[] = [];
  const errors: string[] = [];
  const counted: string[] = [];
  const queue: Array<(budget: number) => number> = [];
  const options: WorkerCaptureOptions = {
    workerId: o.workerId ?? 'w1',
    dir,
    log: createWorkerLog({ workerId: 'w1', file: null, onLine: (l) => lines.push(l.line) }),
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
  return { c, dir, lines, errors, counted, queue, turn };
}

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
