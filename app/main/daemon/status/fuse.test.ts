import { describe, expect, it } from 'vitest';
import type {
  ManifestEntry,
  RemoteView,
  ResourceUse,
  WorkerRuntimeView,
} from '../../../shared/index.ts';
import { derivedStatus, fuseWorkers, isVersionStale, toRemoteView } from './fuse.ts';

const entry = (id: string, apiUrl = 'http://127.0.0.1:1/'): ManifestEntry => ({
  id,
  label: `L-${id}`,
  apiUrl,
  workspaceId: 'ws_1',
  configPath: `/tmp/${id}.json`,
  mode: 'workspace',
  desiredState: 'enabled',
});

const remote = (over: Partial<RemoteView> = {}): RemoteView => ({
  status: 'online',
  currentRunId: null,
  version: '1.4.0',
  lastSeenAt: '2026-01-01T00:00:00Z',
  disabled: false,
  ...over,
});

describe('status fusion', () => {
  it('keeps manifest order and fills every entry once, with nulls where nothing is known', () => {
    const out = fuseWorkers({
      entries: [entry('b'), entry('a')],
      local: () => null,
      remote: (id) => (id === 'a' ? remote({ currentRunId: 'run_1' }) : null),
      lastEvent: (id) => (id === 'a' ? { type: 'worker.started', at: 'x' } : null),
      latestWorkerVersion: (url) => (url === 'http://127.0.0.1:1' ? '1.5.0' : null),
    });
    expect(out.map((w) => w.id)).toEqual(['b', 'a']);
    expect(out[0]).toMatchObject({
      remote: null,
      busy: false,
      workerVersion: null,
      versionStale: false,
      runtime: null,
      resources: null,
      lastStderr: null,
      recentRuns: [],
    });
    expect(out[1]).toMatchObject({
      busy: true,
      currentRunId: 'run_1',
      workerVersion: '1.4.0',
      latestWorkerVersion: '1.5.0',
      versionStale: true,
      lastEvent: { type: 'worker.started', at: 'x' },
    });
  });

  it('derives status with precedence disabled > busy > online > offline unless the API sent one', () => {
    expect(derivedStatus(remote({ disabled: true, currentRunId: 'r' }))).toBe('disabled');
    expect(derivedStatus(remote({ currentRunId: 'r' }))).toBe('busy');
    expect(derivedStatus(remote())).toBe('online');
    expect(derivedStatus(remote({ status: 'offline' }))).toBe('offline');
    expect(derivedStatus(remote({ derivedStatus: 'offline', currentRunId: 'r' }))).toBe('offline');
  });

  it('calls a worker stale only when it is older than a known latest (never unknown, never newer)', () => {
    expect(isVersionStale('1.4.0', '1.5.0')).toBe(true);
    expect(isVersionStale('1.10.0', '1.9.0')).toBe(false);
    expect(isVersionStale('1.5.0', '1.5.0')).toBe(false);
    expect(isVersionStale('1.5.0-beta.1', '1.5.0')).toBe(true);
    expect(isVersionStale('1.5.0', 'unknown')).toBe(false);
    expect(isVersionStale(null, '1.5.0')).toBe(false);
  });

  it('maps an API row to the remote view, nulling absent fields and omitting absent derivedStatus', () => {
    const v = toRemoteView({ id: 'w', status: 'offline', lastSeenAt: null, disabled: false });
    expect(v).toEqual({
      status: 'offline',
      currentRunId: null,
      version: null,
      lastSeenAt: null,
      disabled: false,
    });
    expect('derivedStatus' in v).toBe(false);
    const sent = toRemoteView({
      id: 'w',
      status: 'online',
      lastSeenAt: null,
      disabled: false,
      derivedStatus: 'busy',
    });
    expect(sent.derivedStatus).toBe('busy');
  });

  it('marks a remote view stale with why, and carries the last stderr line, recent runs, runtime and resources', () => {
    const runtime: WorkerRuntimeView = {
      source: 'managed',
      version: '1.4.0',
      previous: null,
      command: '/home/u/.pipedai/runtime/1.4.0/pipedai-worker',
      rolledBackFrom: null,
      rolledBackAutomatically: false,
      problem: null,
    };
    const use: ResourceUse = { cpuPercent: 12.5, rssBytes: 1024, processes: 2, at: 1 };
    const out = fuseWorkers({
      entries: [entry('a'), entry('b'), entry('c')],
      local: () => null,
      remote: (id) => (id === 'c' ? null : remote()),
      lastEvent: () => null,
      latestWorkerVersion: () => null,
      staleness: (e) => (e.id === 'a' ? 'api-unreachable' : null),
      lastStderr: (id) => (id === 'a' ? { line: 'boom', ts: 1 } : null),
      recentRuns: (id) => (id === 'a' ? ['failed', 'succeeded'] : []),
      runtime: (id) => (id === 'a' ? runtime : null),
      resources: (id) => (id === 'a' ? use : null),
    });
    expect(out[0]).toMatchObject({
      remote: { status: 'online', stale: true, staleReason: 'api-unreachable' },
      lastStderr: { line: 'boom', ts: 1 },
      recentRuns: ['failed', 'succeeded'],
      runtime,
      resources: use,
    });
    // Online with no run: not busy.
    expect(out[1]).toMatchObject({ busy: false, runtime: null, resources: null });
    expect(out[1]?.remote).toMatchObject({ stale: false });
    expect(out[1]?.remote).not.toHaveProperty('staleReason');
    expect(out[2]?.remote).toBeNull();
  });
});
