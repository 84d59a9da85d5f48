import { describe, expect, it } from 'vitest';
import type { FusedWorker } from '../../app/shared/index.ts';
import { createUi, visibleWidth } from '../ui.ts';
import { resolveWorker, shortIds, workersTable } from './workers.ts';

const plainUi = createUi({ isTTY: false } as NodeJS.WriteStream, process.stderr, {});

function worker(id: string, label: string, over: Partial<FusedWorker> = {}): FusedWorker {
  return {
    id,
    label,
    mode: 'workspace',
    apiUrl: 'https://api.pipedai.app',
    desiredState: 'enabled',
    local: {
      id,
      state: 'running',
      pid: 42,
      startedAt: 1_000,
      restarts: 0,
      lastExit: null,
      draining: false,
      drainingSince: null,
      nextRestartAt: null,
      adopted: false,
    },
    remote: {
      status: 'online',
      currentRunId: null,
      version: '1.4.2',
      lastSeenAt: null,
      disabled: false,
    },
    lastEvent: null,
    busy: false,
    currentRunId: null,
    workerVersion: '1.4.2',
    latestWorkerVersion: '1.5.0',
    versionStale: true,
    runtime: {
      source: 'managed',
      version: '1.4.2',
      previous: null,
      command: '/h/runtime/worker/1.4.2/cli.js',
      rolledBackFrom: null,
      rolledBackAutomatically: false,
      problem: null,
    },
    ...over,
  };
}

const items = [
  worker('942ebdeb-3d60-4d01-87c7-f3302ab2408d', 'build-box-1', {
    resources: { cpuPercent: 12.5, rssBytes: 50 * 1024 * 1024, processes: 3, at: 60_000 },
  }),
  worker('942ebdec-0000-4d01-87c7-f3302ab2408d', 'a-rather-long-label-for-the-gpu-box-in-rack-7', {
    currentRunId: 'run_0123456789abcdef',
    busy: true,
  }),
  worker('d151e729-9420-4e4e-a1a1-000000000000', 'second', { mode: 'pool' }),
];
const table = (width: number | null) => workersTable(plainUi, items, { now: 61_000, width });

describe('workers table', () => {
  it('puts the label first, then a short id, and shows every column when there is room', () => {
    const lines = table(null);
    expect(lines[0]?.split(/\s{2,}/)).toEqual([
      'LABEL',
      'ID',
      'MODE',
      'LOCAL',
      'REMOTE',
      'RUN',
      'VERSION',
      'RUNTIME',
      'CPU',
      'MEM',
    ]);
    expect(lines[1]).toMatch(
      /^build-box-1\s+942ebdeb\s+workspace\s+running 1m\s+online\s+—\s+v1\.4\.2 → v1\.5\.0\s+managed 1\.4\.2\s+12\.5%\s+50\.0 MiB$/,
    );
    // Running without figures (this OS gives none): n/a, never an empty cell.
    expect(lines[2]).toMatch(/\s+n\/a\s+n\/a$/);
    expect(lines[3]).toMatch(/^second\s+d151e729\s+pool/);
    expect(lines.join('\n')).not.toContain('942ebdeb-3d60');
  });

  it('cuts labels first, then drops RUN, MODE, RUNTIME, VERSION, CPU, MEM and ID to fit', () => {
    for (const width of [120, 100, 80, 60, 50, 40]) {
      const lines = table(width);
      for (const l of lines) expect(visibleWidth(l), `${width}: ${l}`).toBeLessThanOrEqual(width);
      expect(lines[0]?.startsWith('LABEL'), String(width)).toBe(true);
      expect(lines.some((l) => l.includes('LOCAL'))).toBe(true);
    }
    const h = (w: number) => table(w)[0]?.split(/\s{2,}/);
    const all = ['LABEL', 'ID', 'MODE', 'LOCAL', 'REMOTE', 'RUN', 'VERSION', 'RUNTIME'];
    expect(h(120)).toEqual([...all, 'CPU', 'MEM']);
    expect(table(130)[2]).toMatch(/^a-rather-long-label-\S+… {2}942ebdec/);
    expect(h(110)).toEqual([
      'LABEL',
      'ID',
      'MODE',
      'LOCAL',
      'REMOTE',
      'VERSION',
      'RUNTIME',
      'CPU',
      'MEM',
    ]);
    expect(h(100)).toEqual(['LABEL', 'ID', 'LOCAL', 'REMOTE', 'VERSION', 'RUNTIME', 'CPU', 'MEM']);
    expect(h(80)).toEqual(['LABEL', 'ID', 'LOCAL', 'REMOTE', 'VERSION', 'CPU', 'MEM']);
    expect(h(60)).toEqual(['LABEL', 'ID', 'LOCAL', 'REMOTE', 'CPU', 'MEM']);
    expect(h(50)).toEqual(['LABEL', 'ID', 'LOCAL', 'REMOTE']);
    expect(h(40)).toEqual(['LABEL', 'LOCAL', 'REMOTE']);
  });

  it('says "stale · seen 46s ago" in place of an out-of-date "online"', () => {
    const now = Date.parse('2026-12-03T15:54:00Z');
    const stale = worker('942ebdeb-3d60-4d01-87c7-f3302ab2408d', 'build-box-1', {
      remote: {
        status: 'online',
        currentRunId: null,
        version: '1.4.2',
        lastSeenAt: new Date(now - 46_000).toISOString(),
        disabled: false,
        stale: true,
        staleReason: 'api-unreachable',
      },
    });
    const [, row] = workersTable(plainUi, [stale], { now, width: null });
    expect(row).toContain('stale · seen 46s ago');
    expect(row).not.toContain('online');
  });

  it('lets a terminal too narrow for even that wrap, rather than lose the state', () => {
    expect(table(10)[0]?.split(/\s{2,}/)).toEqual(['LABEL', 'LOCAL', 'REMOTE']);
  });
});

describe('short ids', () => {
  it('are 8 characters, longer only where two ids share them', () => {
    const s = shortIds(items.map((w) => w.id));
    expect([...s.values()]).toEqual(['942ebdeb', '942ebdec', 'd151e729']);
    expect(shortIds(['abcdefgh1', 'abcdefgh2', 'x'])).toEqual(
      new Map([
        ['abcdefgh1', 'abcdefgh1'],
        ['abcdefgh2', 'abcdefgh2'],
        ['x', 'x'],
      ]),
    );
  });

  it('name a worker for the verbs, as do the full id and the label', () => {
    expect(resolveWorker(items, 'd151e729').label).toBe('second');
    expect(resolveWorker(items, 'second').label).toBe('second');
    expect(resolveWorker(items, items[0]!.id).label).toBe('build-box-1');
    expect(() => resolveWorker(items, '942e')).toThrow(/more than one worker id/);
    expect(() => resolveWorker(items, 'd15')).toThrow(/no worker with id or label "d15"/);
  });
});
