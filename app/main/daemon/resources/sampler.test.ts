import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/support/wait-for.ts';
import { createResourceSampler, treeOf } from './sampler.ts';
import {
  parseProcStat,
  parsePs,
  procTable,
  processTableFor,
  psTimeMs,
  ResourcesUnavailable,
  type ProcessRow,
} from './process-table.ts';

const row = (pid: number, ppid: number, cpuMs: number, rssBytes: number): ProcessRow => ({
  pid,
  ppid,
  cpuMs,
  rssBytes,
});

describe('the resource sampler', () => {
  it("sums each worker's whole tree and rates CPU over the interval", async () => {
    let t = 10_000;
    let rows = [
      row(1, 0, 0, 1),
      row(100, 1, 1_000, 10),
      row(101, 100, 500, 20),
      row(102, 101, 0, 5),
    ];
    const s = createResourceSampler({
      table: async () => rows,
      roots: () => [{ id: 'w1', pid: 100 }],
      now: () => t,
    });
    const first = await s.sample();
    expect(first?.workers.w1).toEqual({ cpuPercent: 0, rssBytes: 35, processes: 3, at: 10_000 });
    t += 5_000;
    rows = [row(100, 1, 3_000, 10), row(101, 100, 1_000, 20)]; // 2.5 s of CPU in 5 s
    const second = await s.sample();
    expect(second?.workers.w1?.cpuPercent).toBe(50);
    expect(second?.totals).toEqual({ cpuPercent: 50, rssBytes: 30 });
    expect(s.latest('w1')?.rssBytes).toBe(30);
    expect(s.view().samples).toHaveLength(2);
  });

  it('keeps ten minutes of samples and reads nothing while no worker runs', async () => {
    let t = 0;
    let reads = 0;
    let roots = [{ id: 'w', pid: 5 }];
    const s = createResourceSampler({
      table: async () => {
        reads++;
        return [row(5, 1, 0, 1)];
      },
      roots: () => roots,
      now: () => t,
    });
    for (let i = 0; i < 300; i++, t += 5_000) await s.sample();
    expect(s.view().samples.length).toBeLessThanOrEqual(121);
    roots = [];
    const before = reads;
    expect(await s.sample()).toBeNull();
    expect(reads).toBe(before);
  });

  it('says n/a (available: false, and why) where the OS gives nothing, and nothing breaks', async () => {
    const s = createResourceSampler({
      table: processTableFor('win32'),
      roots: () => [{ id: 'w', pid: 5 }],
    });
    expect(await s.sample()).toBeNull();
    expect(s.view()).toMatchObject({
      available: false,
      reason: expect.stringContaining('Windows'),
    });
    expect(s.latest('w')).toBeNull();
    const denied = createResourceSampler({
      table: async () => {
        throw new ResourcesUnavailable('denied');
      },
      roots: () => [{ id: 'w', pid: 5 }],
    });
    await denied.sample();
    expect(denied.view().reason).toBe('denied');
  });

  it('walks a tree once even if the table loops', () => {
    const children = new Map([
      [1, [2, 3]],
      [2, [4]],
      [4, [1]],
    ]);
    expect(treeOf(1, children).sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('process tables', () => {
  it('parse /proc/<pid>/stat, names with spaces and parentheses included', () => {
    const stat =
      '4242 (node (worker) x) S 4000 4242 4242 0 -1 4194304 100 0 0 0 150 50 10 5 20 0 11 0 12345 1000000 2500 18446744073709551615';
    expect(parseProcStat(4242, stat, 4096)).toEqual({
      pid: 4242,
      ppid: 4000,
      cpuMs: 2150,
      rssBytes: 2500 * 4096,
    });
    expect(parseProcStat(1, '1 (z) Z 0 1 1 0', 4096)).toBeNull();
  });

  it('parse ps output and its times', () => {
    expect(psTimeMs('01:02.50')).toBe(62_500);
    expect(psTimeMs('1-02:00:00')).toBe(26 * 3_600_000);
    expect(parsePs('  10     1  2048   0:01.00\n  11    10   512   00:00:00\nbad\n')).toEqual([
      { pid: 10, ppid: 1, cpuMs: 1000, rssBytes: 2048 * 1024 },
      { pid: 11, ppid: 10, cpuMs: 0, rssBytes: 512 * 1024 },
    ]);
  });

  it.runIf(process.platform === 'linux')(
    'read a real tree from /proc: a child that burns CPU under its parent',
    { timeout: 60_000 },
    async () => {
      const parent = spawn(
        process.execPath,
        [
          '-e',
          `require('child_process').spawn(process.execPath, ['-e', 'const e=Date.now()+60000;while(Date.now()<e){}'], {stdio:'inherit'}); setInterval(()=>{}, 1000)`,
        ],
        { stdio: 'ignore', detached: true },
      );
      try {
        const s = createResourceSampler({
          table: procTable(),
          roots: () => [{ id: 'w', pid: parent.pid! }],
        });
        await waitFor(
          'the tree of two',
          async () => ((await s.sample())?.workers.w?.processes ?? 0) >= 2,
        );
        const use = await waitFor('CPU measured', async () => {
          await new Promise((r) => setTimeout(r, 500));
          const w = (await s.sample())?.workers.w;
          return w && w.cpuPercent > 5 ? w : null;
        });
        expect(use.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      } finally {
        process.kill(-parent.pid!, 'SIGKILL');
      }
    },
  );
});
