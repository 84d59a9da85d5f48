// Fault (e) of issue 12: runs/ filled past its cap. The daemon
// prunes it at start and hourly, by age and total size: what is left fits the cap and is the
// newest; a run the worker writes meanwhile is kept; /api/self says what runs/ takes.
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SelfStatus } from '../../app/shared/index.ts';
import { controlClient, waitFor } from './support/control.ts';
import { startInProcess, type InProcessDaemon } from './support/daemon.ts';
import { createFixture, type Fixture, type FaultWorker } from './support/fixture.ts';

const CAP_MB = 1;
const FILES = 40;
const FILE_BYTES = 100 * 1024;

describe('fault: runs/ past its cap', () => {
  let fx: Fixture;
  let daemon: InProcessDaemon | null = null;

  beforeAll(async () => {
    fx = await createFixture({ workers: 1 });
  });
  afterAll(async () => {
    await daemon?.stop();
    await fx?.cleanup();
  });

  it('is pruned to the cap, the newest kept, and reported in /api/self', async () => {
    const worker = fx.workers[0] as FaultWorker;
    const dir = fx.paths.runDir(worker.id);
    await mkdir(dir, { recursive: true });
    // 4 MB of finished runs, one an hour, the newest 2 h ago.
    const now = Date.now();
    for (let i = 0; i < FILES; i++) {
      const file = join(dir, `run-${String(i).padStart(2, '0')}.ndjson`);
      await writeFile(
        file,
        `${JSON.stringify({ seq: 1, type: 'result', ts: '' })}\n`.padEnd(FILE_BYTES, ' '),
      );
      const t = (now - (2 + FILES - i) * 3_600_000) / 1000;
      await utimes(file, t, t);
    }
    daemon = await startInProcess(fx.env({ PIPEDAI_RUNS_MAX_MB: String(CAP_MB) }));
    const api = controlClient(daemon.url, fx.localToken);
    // The daemon logs the prune once it is done.
    await waitFor('the prune', () => daemon?.log.some((l) => l.startsWith('runs/: pruned')));
    const kept = (await readdir(dir)).sort();
    const bytes = (await Promise.all(kept.map((n) => stat(join(dir, n))))).reduce(
      (sum, s) => sum + s.size,
      0,
    );
    expect(bytes).toBeLessThanOrEqual(CAP_MB * 1024 * 1024);
    // The newest ones, in a row: run-39 back to where the cap ran out.
    const expected = Array.from(
      { length: kept.length },
      (_, i) => `run-${String(FILES - kept.length + i).padStart(2, '0')}.ndjson`,
    );
    expect(kept).toEqual(expected);
    expect(kept.length).toBe(Math.floor((CAP_MB * 1024 * 1024) / FILE_BYTES));
    expect(daemon.log.join('\n')).toMatch(/runs\/: pruned \d+ run file/);

    const self = SelfStatus.parse((await api.call('GET', '/api/self')).body);
    expect(self.disk?.runsBytes).toBeLessThanOrEqual(CAP_MB * 1024 * 1024);
    expect(self.disk?.runsBytes).toBeGreaterThan(0);
  });
});
