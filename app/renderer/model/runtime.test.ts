import { describe, expect, it } from 'vitest';
import type { FusedWorker } from '../../shared/index.ts';
import { runtimeInstall as install } from '../../shared/test-support.ts';
import { worker } from '../store/test-support.ts';
import { installFor, installLine, installSteps, runtimeLabel } from './runtime.ts';
import { verbsFor } from './workers.ts';

const runtime = (over: Partial<NonNullable<FusedWorker['runtime']>>): FusedWorker => ({
  ...worker('w', {
    label: 'mac',
    local: null,
    workerVersion: null,
    latestWorkerVersion: null,
    versionStale: false,
  }),
  runtime: {
    source: 'managed',
    version: '1.5.0',
    previous: null,
    command: '/h/runtime/worker/1.5.0/…',
    rolledBackFrom: null,
    rolledBackAutomatically: false,
    problem: null,
    ...over,
  },
});

describe('runtime view', () => {
  it('labels where pipedai-worker comes from', () => {
    expect(runtimeLabel(runtime({}))).toBe('managed 1.5.0');
    expect(runtimeLabel(runtime({ source: 'path', version: null }))).toBe('PATH');
    expect(runtimeLabel(runtime({ source: 'none', version: null }))).toBe('not installed');
  });
  it('steps through the phases, and names the failure', () => {
    expect(installSteps(install('downloading')).map((s) => s.state)).toEqual([
      'done',
      'current',
      'todo',
      'todo',
    ]);
    expect(installSteps(install('done')).every((s) => s.state === 'done')).toBe(true);
    expect(installLine(install('installing'))).toBe(
      'Installing @pipedai/worker@1.4.2 from http://127.0.0.1:4873…',
    );
    expect(installLine(install('failed'))).toBe('cannot reach http://127.0.0.1:4873');
  });
  it('offers Install runtime to a worker without one, Roll back to one with a previous version', () => {
    expect(verbsFor(runtime({ source: 'none', version: null }))).toContain('install-runtime');
    expect(verbsFor(runtime({ previous: '1.4.2' }))).toContain('rollback');
    expect(verbsFor(runtime({}))).not.toContain('rollback');
    expect(installFor(runtime({ source: 'none' }), install('downloading'))?.phase).toBe(
      'downloading',
    );
    expect(installFor(runtime({}), install('downloading'))).toBeNull();
  });
});
