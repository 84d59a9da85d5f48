import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { measureDisk } from '../disk-usage.ts';
import { pathsFor } from '../paths.ts';
import { pruneRuns } from './prune.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const NOW = Date.parse('2030-06-01T00:00:00Z');
const MIN = 60_000;

/** runs/<worker>/<run>.ndjson of `bytes`, last written `ageMs` before NOW. */
function run(runsDir: string, worker: string, runId: string, bytes: number, ageMs: number): void {
  mkdirSync(join(runsDir, worker), { recursive: true });
  const file = join(runsDir, worker, `${runId}.ndjson`);
  writeFileSync(file, 'x'.repeat(bytes));
  const t = (NOW - ageMs) / 1000;
  utimesSync(file, t, t);
}

const left = (runsDir: string): string[] =>
  readdirSync(runsDir)
    .flatMap((w) => readdirSync(join(runsDir, w)).map((f) => `${w}/${f}`))
    .sort();

describe('pruneRuns', () => {
  it('keeps the newest within the total, drops what is older than the age limit, never a live run', async () => {
    const home = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'runs-'));
    dirs.push(home);
    const runsDir = join(home, 'runs');
    run(runsDir, 'w1', 'live', 5000, 1 * MIN); // over the total alone, but written a minute ago
    run(runsDir, 'w1', 'r1', 400, 20 * MIN);
    run(runsDir, 'w2', 'r2', 400, 30 * MIN);
    run(runsDir, 'w1', 'r3', 400, 40 * MIN); // no room left: it and everything older go
    run(runsDir, 'w2', 'r4', 10, 50 * MIN);
    run(runsDir, 'w2', 'old', 10, 31 * 24 * 60 * MIN);
    writeFileSync(join(runsDir, 'w2', 'notes.txt'), 'not a run file');
    const limits = { maxTotalBytes: 6000, maxAgeMs: 30 * 24 * 60 * MIN, keepLiveMs: 10 * MIN };
    expect(await pruneRuns(runsDir, limits, NOW)).toEqual({
      removed: 3,
      removedBytes: 420,
      kept: 3,
      keptBytes: 5800,
    });
    expect(left(runsDir)).toEqual([
      'w1/live.ndjson',
      'w1/r1.ndjson',
      'w2/notes.txt',
      'w2/r2.ndjson',
    ]);
    const disk = await measureDisk(pathsFor(home), () => NOW);
    expect(disk).toMatchObject({ logsBytes: 0, captureBytes: 0, connectivityBytes: 0 });
    expect(disk.runsBytes).toBeGreaterThanOrEqual(5800);
  });

  it('with nothing there, does nothing', async () => {
    expect(await pruneRuns('/nonexistent/runs')).toEqual({
      removed: 0,
      removedBytes: 0,
      kept: 0,
      keptBytes: 0,
    });
  });
});
