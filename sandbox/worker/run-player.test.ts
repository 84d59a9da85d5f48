import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RUN_EVENTS, playRun, type RunPlayerDeps } from './run-player.ts';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'sim-player-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** A fake clock that the player's sleeps advance, and an output that records lines. */
function harness(overrides: Partial<RunPlayerDeps> = {}) {
  let now = 1_000_000;
  const sleeps: number[] = [];
  const lines: Array<['out' | 'err', string]> = [];
  const deps: RunPlayerDeps = {
    workerId: 'worker-1',
    home,
    localRunEvents: true,
    defaultDurationMs: 3000,
    output: {
      out: (l) => void lines.push(['out', l]),
      err: (l) => void lines.push(['err', l]),
      bulk: () => true,
      flush: async () => {},
    },
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      if (ms > 0) now += ms;
    },
    ...overrides,
  };
  return { deps, lines, elapsed: () => now - 1_000_000 };
}

const parseLines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; type: string; ts: string; payload: unknown });

describe('playRun', () => {
  it('writes every event as one NDJSON line with seq from 1, in a private file', async () => {
    const h = harness();
    const result = await playRun(
      { runId: 'run-a', prompt: 'p', durationMs: 900, events: 7 },
      h.deps,
    );
    expect(result).toEqual({ events: 7 });
    const path = join(home, 'runs', 'worker-1', 'run-a.ndjson');
    const events = parseLines(path);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events.at(-1)?.type).toBe('result');
    for (const e of events) expect(Number.isNaN(Date.parse(e.ts))).toBe(false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'runs', 'worker-1')).mode & 0o777).toBe(0o700);
    expect(h.elapsed()).toBe(900);
    expect(h.lines.some(([s, l]) => s === 'out' && l.includes('result:'))).toBe(true);
  });

  it('uses the worker defaults when the claim names no duration or event count', async () => {
    const h = harness();
    expect(await playRun({ runId: 'run-b', prompt: '' }, h.deps)).toEqual({
      events: DEFAULT_RUN_EVENTS,
    });
    expect(h.elapsed()).toBe(3000);
  });

  it('writes no file without PIPEDAI_LOCAL_RUN_EVENTS, but still plays the run', async () => {
    const h = harness({ localRunEvents: false });
    expect(
      await playRun({ runId: 'run-c', prompt: '', durationMs: 10, events: 3 }, h.deps),
    ).toEqual({ events: 3 });
    expect(() => statSync(join(home, 'runs'))).toThrow();
  });

  it('reports an unusable event folder once and finishes the run anyway', async () => {
    writeFileSync(join(home, 'runs'), 'a file where the folder should be');
    const h = harness();
    expect(
      await playRun({ runId: 'run-d', prompt: '', durationMs: 10, events: 4 }, h.deps),
    ).toEqual({ events: 4 });
    expect(h.lines.filter(([s, l]) => s === 'err' && l.includes('local event file'))).toHaveLength(
      1,
    );
  });
});
