// Worker output through files: a real child writes numbered lines to the fds the capture hands
// it; "daemons" (captures) come and go around it, space is given back, and no line goes missing.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../../../shared/index.ts';
import { waitFor } from '../../../../../test/support/wait-for.ts';
import { createWorkerLog, type WorkerLog } from '../logs/index.ts';
import { WorkerCapture, type CaptureLimits, type PunchHole } from './worker-capture.ts';
import { DEFAULT_TURN_BYTES, turnScheduler } from './capture-hub.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
const polls: ReturnType<typeof setInterval>[] = [];
afterEach(() => {
  for (const p of polls.splice(0)) clearInterval(p);
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'capture-'));
  dirs.push(d);
  return d;
}

/** A log that keeps every line (a big ring) and no file. */
function sink(): { log: WorkerLog; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = createWorkerLog({
    workerId: 'w1',
    file: null,
    ringSize: 100_000,
    onLine: (l) => lines.push(l),
  });
  return { log, lines };
}

function capture(
  dir: string,
  log: WorkerLog,
  opts: { platform?: NodeJS.Platform; limits?: Partial<CaptureLimits>; punchHole?: PunchHole } = {},
): WorkerCapture {
  const c = new WorkerCapture({
    workerId: 'w1',
    dir,
    log,
    platform: opts.platform ?? 'linux',
    limits: { cursorDelayMs: 20, ...opts.limits },
    ...(opts.punchHole ? { punchHole: opts.punchHole } : {}),
    scheduler: turnScheduler(DEFAULT_TURN_BYTES),
  });
  // What the hub's watcher and poll do for every capture.
  polls.push(setInterval(() => c.poke(), 10));
  return c;
}

/** A child printing `line <n>` (stdout) and every 10th also `err <n>` (stderr), `total` of them. */
function writer(c: WorkerCapture, total: number, everyMs = 1): ChildProcess {
  const io = c.openForSpawn();
  const script = `let n = 0; const t = setInterval(() => { for (let k = 0; k < 20 && n < ${total}; k++) { n++; process.stdout.write('line ' + n + ' ' + 'x'.repeat(100) + '\\n'); if (n % 10 === 0) process.stderr.write('err ' + n + '\\n'); } if (n >= ${total}) { clearInterval(t); } }, ${everyMs});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: io.stdio });
  io.release();
  children.push(child);
  c.follow();
  return child;
}

const numbers = (lines: LogLine[], stream: 'out' | 'err'): number[] =>
  lines
    .filter((l) => l.stream === stream)
    .map((l) => Number(/^(?:line|err) (\d+)/.exec(l.line)?.[1]))
    .filter((n) => Number.isFinite(n));

const exited = (c: ChildProcess): Promise<void> =>
  new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', () => r())));

describe('worker capture', () => {
  it('reads a child’s stdout and stderr from its files, separately and in order', async () => {
    const dir = tempDir();
    const { log, lines } = sink();
    const c = capture(dir, log);
    const child = writer(c, 500);
    await exited(child);
    c.finish();
    expect(numbers(lines, 'out')).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(numbers(lines, 'err')).toEqual(Array.from({ length: 50 }, (_, i) => (i + 1) * 10));
    c.close();
  });

  it('a daemon that goes away and a new one: the writer never notices, the new one reads on', async () => {
    const dir = tempDir();
    const first = sink();
    const c1 = capture(dir, first.log);
    const child = writer(c1, 3000, 5);
    await waitFor('some lines', () => first.lines.length > 200);
    c1.close(); // the hand-off: cursor saved at a line boundary
    const gapFrom = numbers(first.lines, 'out').at(-1) as number;

    const second = sink();
    const c2 = capture(dir, second.log);
    c2.follow();
    await exited(child);
    c2.finish();
    const got = numbers(second.lines, 'out');
    expect(got[0]).toBe(gapFrom + 1); // nothing repeated, nothing skipped
    expect([...numbers(first.lines, 'out'), ...got]).toEqual(
      Array.from({ length: 3000 }, (_, i) => i + 1),
    );
    c2.close();
  });

  it('after a crash, the next daemon resumes at the last saved cursor: repeats, never skips', async () => {
    const dir = tempDir();
    const first = sink();
    const c1 = capture(dir, first.log);
    const child = writer(c1, 2000, 5);
    const cursorFile = join(dir, 'w1.cursor.json');
    await waitFor('some lines and a saved cursor', () =>
      first.lines.length > 300 ? readFileSync(cursorFile, 'utf8') : null,
    );
    const saved = readFileSync(cursorFile, 'utf8');
    await waitFor('more lines read since', () => first.lines.length > 600);
    const crashedAt = numbers(first.lines, 'out').at(-1) as number;
    // The crash: what c1 read after its last save is not in the cursor file.
    c1.close();
    writeFileSync(cursorFile, saved);
    const second = sink();
    const c2 = capture(dir, second.log);
    c2.follow();
    await exited(child);
    c2.finish();
    const got = numbers(second.lines, 'out');
    expect(got[0]).toBeLessThan(crashedAt);
    expect(got.at(-1)).toBe(2000);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => (got[0] as number) + i));
    c2.close();
  });

  it('Linux: punches holes behind the reader while the writer writes on; no line is lost', async () => {
    const dir = tempDir();
    const { log, lines } = sink();
    const punched: Array<[number, number]> = [];
    const c = capture(dir, log, {
      limits: { reclaimBytes: 64 * 1024 },
      punchHole: async (file, offset, length) => {
        punched.push([offset, length]);
        const { fallocatePunchHole } = await import('./worker-capture.ts');
        await fallocatePunchHole(file, offset, length);
      },
    });
    const child = writer(c, 5000, 1);
    await exited(child);
    await waitFor('the reader at the end', () => numbers(lines, 'out').length === 5000);
    c.finish();
    expect(numbers(lines, 'out')).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(punched.length).toBeGreaterThan(3);
    expect(c.stats()).toMatchObject({ reclaimMode: 'punch' });
    const st = statSync(join(dir, 'w1.out'));
    // ~550 KB written, far fewer blocks kept.
    expect(st.size).toBeGreaterThan(500_000);
    expect(st.blocks * 512).toBeLessThan(st.size / 2);
    c.close();
  });

  it('elsewhere (or when punching fails): truncates in place once all is read; the writer appends at 0', async () => {
    const dir = tempDir();
    const { log, lines } = sink();
    const c = capture(dir, log, { platform: 'darwin', limits: { reclaimBytes: 1000 } });
    c.openForSpawn().release();
    c.follow();
    const file = join(dir, 'w1.out');
    const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
    // The writer appends O_APPEND (what the worker's fd does), in bursts between reads.
    for (let burst = 0; burst < 5; burst++) {
      for (let k = 1; k <= 20; k++)
        appendFileSync(file, `line ${burst * 20 + k} ${'y'.repeat(80)}\n`);
      c.poke();
      await turn();
      await turn();
      expect(statSync(file).size).toBe(0);
    }
    expect(numbers(lines, 'out')).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(c.stats()).toMatchObject({ reclaimMode: 'truncate', reclaims: 5 });
    c.close();
  });

  it('falls back to truncating when a hole cannot be punched', async () => {
    const dir = tempDir();
    const { log, lines } = sink();
    const c = capture(dir, log, {
      limits: { reclaimBytes: 1000 },
      punchHole: () => Promise.reject(new Error('Operation not supported')),
    });
    c.openForSpawn().release();
    c.follow();
    const file = join(dir, 'w1.out');
    appendFileSync(file, `line 1 ${'z'.repeat(5000)}\n`);
    await waitFor('the fallback, then a truncate', () => c.stats().reclaims === 1);
    expect(c.stats().reclaimMode).toBe('truncate');
    expect(statSync(file).size).toBe(0);
    appendFileSync(file, 'line 2\n'); // lands at 0, and is read from there
    await waitFor('line 2', () => numbers(lines, 'out').includes(2));
    expect(numbers(lines, 'out')).toEqual([1, 2]);
    c.close();
  });

  it('reads only the newest maxBacklogBytes after a long absence, and says what it skipped', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'w1.out'),
      Array.from({ length: 10_000 }, (_, i) => `line ${i + 1}\n`).join(''),
    );
    const { log, lines } = sink();
    const c = capture(dir, log, { limits: { maxBacklogBytes: 1024 } });
    c.follow();
    c.finish();
    const got = numbers(lines, 'out');
    expect(got.at(-1)).toBe(10_000);
    expect(got.length).toBeLessThan(150);
    expect(lines.some((l) => /bytes of older output skipped/.test(l.line))).toBe(true);
    c.close();
  });

  it('a cursor naming another file (replaced meanwhile) is not applied to this one', () => {
    const dir = tempDir();
    const first = sink();
    const c1 = capture(dir, first.log);
    c1.openForSpawn().release();
    appendFileSync(join(dir, 'w1.out'), 'line 1\nline 2\n');
    c1.follow();
    c1.finish();
    c1.close();
    rmSync(join(dir, 'w1.out'));
    writeFileSync(join(dir, 'w1.out'), 'line 7\n');
    const second = sink();
    const c2 = capture(dir, second.log);
    c2.follow();
    c2.finish();
    expect(numbers(second.lines, 'out')).toEqual([7]);
    c2.close();
  });
});
