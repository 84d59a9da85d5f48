// The run tail over real files in a temp folder: what a worker appends comes out as events, once,
// in order; what was there before the daemon looked does not.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/support/wait-for.ts';
import { createRunEventsReader } from './run-events.ts';
import { createRunTail, type RunTail } from './run-tail.ts';

let dir: string;
let tail: RunTail | null = null;
let got: Array<[string, string, number[]]>;

beforeEach(() => {
  dir = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'run-tail-'));
  got = [];
});
afterEach(() => {
  tail?.close();
  rmSync(dir, { recursive: true, force: true });
});

const line = (seq: number): string =>
  `${JSON.stringify({ seq, type: 'assistant', ts: '2026-01-01T00:00:00Z', payload: { seq } })}\n`;
const lines = (...seqs: number[]): string => seqs.map(line).join('');
const runFile = (worker: string, run: string): string => join(dir, worker, `${run}.ndjson`);

function start(): RunTail {
  tail = createRunTail({
    runsDir: dir,
    reader: createRunEventsReader(dir),
    emit: (id, runId, items) => got.push([id, runId, items.map((e) => e.seq)]),
    pollMs: 100,
    coalesceMs: 10,
  });
  return tail;
}
const seqsOf = (worker: string, run: string): number[] =>
  got.filter(([w, r]) => w === worker && r === run).flatMap(([, , s]) => s);

describe('run tail', () => {
  it("hands on a new run's events as they are appended, a partial line once it is whole", async () => {
    await start().follow(['w1']);
    mkdirSync(join(dir, 'w1')); // the worker's first run makes its folder
    writeFileSync(runFile('w1', 'r1'), lines(1, 2));
    await waitFor('the first events', () => seqsOf('w1', 'r1').length === 2);
    appendFileSync(runFile('w1', 'r1'), line(3) + '{"seq":4,"type":"x","ts":"t","pay');
    await waitFor('the whole line', () => seqsOf('w1', 'r1').includes(3));
    appendFileSync(runFile('w1', 'r1'), 'load":{}}\n' + line(5));
    await waitFor('the rest', () => seqsOf('w1', 'r1').includes(5));
    expect(seqsOf('w1', 'r1')).toEqual([1, 2, 3, 4, 5]);
  });

  it('a run under way when the tail starts hands on only what comes after', async () => {
    mkdirSync(join(dir, 'w1'));
    writeFileSync(runFile('w1', 'live'), lines(1, 2, 3));
    await start().follow(['w1']);
    appendFileSync(runFile('w1', 'live'), lines(4));
    await waitFor('the appended event', () => seqsOf('w1', 'live').length > 0);
    await new Promise((r) => setTimeout(r, 250)); // a poll later: nothing twice
    expect(seqsOf('w1', 'live')).toEqual([4]);
  });

  it('lets go of workers no longer followed, and of everything once closed', async () => {
    const t = start();
    await t.follow(['w1', 'w2', '../escape']);
    mkdirSync(join(dir, 'w1'));
    writeFileSync(runFile('w1', 'first'), lines(1));
    await waitFor('the folder created after follow', () => seqsOf('w1', 'first').length === 1);
    await t.follow(['w1']);
    mkdirSync(join(dir, 'w2'));
    writeFileSync(runFile('w2', 'r'), lines(1));
    writeFileSync(join(dir, 'w1', 'notes.txt'), 'not a run');
    appendFileSync(runFile('w1', 'first'), lines(2));
    await waitFor('the followed worker', () => seqsOf('w1', 'first').length === 2);
    await new Promise((r) => setTimeout(r, 250));
    expect(got.map(([w, r]) => `${w}/${r}`)).toEqual(['w1/first', 'w1/first']);
    t.close();
    appendFileSync(runFile('w1', 'first'), lines(3));
    await new Promise((r) => setTimeout(r, 250));
    expect(seqsOf('w1', 'first')).toEqual([1, 2]);
  });
});
