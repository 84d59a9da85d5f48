import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunEventsReader } from './run-events.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const line = (seq: number, extra: object = {}): string =>
  JSON.stringify({
    seq,
    type: 'assistant',
    ts: '2026-01-01T00:00:00Z',
    payload: { text: `e${seq}` },
    ...extra,
  }) + '\n';

function writeRun(worker: string, run: string, body: string): string {
  mkdirSync(join(dir, worker), { recursive: true });
  const p = join(dir, worker, `${run}.ndjson`);
  writeFileSync(p, body);
  return p;
}

describe('run events reader', () => {
  it('lists runs newest first, at most 50, ignoring other files and unsafe names', async () => {
    for (let i = 0; i < 55; i++) {
      const p = writeRun('w1', `run_${String(i).padStart(2, '0')}`, line(1));
      utimesSync(p, 1_700_000_000 + i, 1_700_000_000 + i);
    }
    writeFileSync(join(dir, 'w1', 'notes.txt'), 'x');
    const reader = createRunEventsReader(dir);
    const runs = await reader.listRuns('w1');
    expect(runs).toHaveLength(50);
    expect(runs[0]).toMatchObject({ runId: 'run_54', updatedAt: 1_700_000_054_000 });
    expect(await reader.listRuns('..')).toEqual([]);
    expect(await reader.listRuns('nope')).toEqual([]);
  });

  it('says when each run began, how it ended and how long it took', async () => {
    const at = (iso: string, seq: number, extra: object = {}) =>
      line(seq, { ts: `2026-12-03T15:${iso}Z`, ...extra });
    const result = (subtype: string, extra: object = {}) => ({
      type: 'result',
      payload: { subtype, is_error: subtype !== 'success', ...extra },
    });
    // duration_ms from the result wins; without it, first to last event.
    writeRun(
      'w1',
      'run_a',
      at('53:00', 1) + at('53:40', 2, result('success', { duration_ms: 41_500 })),
    );
    writeRun('w1', 'run_b', at('50:00', 1) + at('50:12', 2, result('error_during_execution')));
    writeRun('w1', 'run_c', at('54:00', 1)); // still going: no duration yet
    const runs = await createRunEventsReader(dir).listRuns('w1');
    const byId = Object.fromEntries(runs.map((r) => [r.runId, r]));
    expect(byId.run_a).toMatchObject({
      outcome: 'succeeded',
      startedAt: Date.parse('2026-12-03T15:53:00Z'),
      durationMs: 41_500,
    });
    expect(byId.run_b).toMatchObject({ outcome: 'failed', durationMs: 12_000 });
    expect(byId.run_c).toMatchObject({
      outcome: 'running',
      startedAt: Date.parse('2026-12-03T15:54:00Z'),
    });
    expect(byId.run_c).not.toHaveProperty('durationMs');
  });

  it('answers tail and after, skipping lines without a numeric seq and a partial last line', async () => {
    const body =
      line(1) +
      'not json\n' +
      JSON.stringify({ type: 'x' }) +
      '\n' +
      line(2) +
      line(3) +
      '{"seq":4,"ty';
    const p = writeRun('w1', 'r1', body);
    const reader = createRunEventsReader(dir);
    expect((await reader.read('w1', 'r1', {})).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await reader.read('w1', 'r1', { tail: 2 })).map((e) => e.seq)).toEqual([2, 3]);
    expect((await reader.read('w1', 'r1', { after: 1 })).map((e) => e.seq)).toEqual([2, 3]);
    expect(await reader.read('w1', 'r1', { after: 3 })).toEqual([]);
    // The live run finishes its partial line and appends more: only new bytes are indexed.
    appendFileSync(p, 'pe":"assistant","ts":"t","payload":{}}\n' + line(5));
    expect((await reader.read('w1', 'r1', { after: 3 })).map((e) => e.seq)).toEqual([4, 5]);
  });

  it('caps an after= answer at 5000 events and handles files larger than one read chunk', async () => {
    let body = '';
    for (let i = 1; i <= 6000; i++) body += line(i, { payload: { text: 'x'.repeat(40) } });
    writeRun('w1', 'big', body);
    const reader = createRunEventsReader(dir);
    const first = await reader.read('w1', 'big', { after: 0 });
    expect(first).toHaveLength(5000);
    expect(first[4999]?.seq).toBe(5000);
    const rest = await reader.read('w1', 'big', { after: 5000 });
    expect(rest.map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => 5001 + i));
    expect((await reader.read('w1', 'big', { tail: 3 })).map((e) => e.seq)).toEqual([
      5998, 5999, 6000,
    ]);
  });

  it('re-indexes a file that was replaced by a shorter one, and refuses traversal', async () => {
    writeRun('w1', 'r', line(1) + line(2) + line(3));
    const reader = createRunEventsReader(dir);
    expect(await reader.read('w1', 'r', {})).toHaveLength(3);
    writeRun('w1', 'r', line(7));
    expect((await reader.read('w1', 'r', {})).map((e) => e.seq)).toEqual([7]);
    expect(await reader.read('w1', '../w1/r', {})).toEqual([]);
    expect(await reader.read('..', 'r', {})).toEqual([]);
  });
});
