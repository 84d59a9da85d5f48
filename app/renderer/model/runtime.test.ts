import { describe, expect, it } from 'vitest';
import type { FusedWorker, RuntimeInstall } from '../../shared/index.ts';
import { installFor, installLine, installSteps, runtimeLabel } from './runtime.ts';
import { verbsFor } from './workers.ts';

const base: FusedWorker = {
  id: 'w',
  label: 'mac',
  mode: 'workspace',
  apiUrl: 'https://api.pipedai.app',
  desiredState: 'enabled',
  local: null,
  remote: null,
  lastEvent: null,
  busy: false,
  currentRunId: null,
  workerVersion: null,
  latestWorkerVersion: null,
  versionStale: false,
};
const runtime = (over: Partial<NonNullable<FusedWorker['runtime']>>): FusedWorker => ({
  ...base,
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
const install = (phase: RuntimeInstall['phase']): RuntimeInstall => ({
  installId: 'i',
  package: '@pipedai/worker',
  spec: '@pipedai/worker@latest',
  version: '1.4.2',
  phase,
  registry: 'http://127.0.0.1:4873',
  workerIds: [],
  startedAt: 1,
  endedAt: null,
  failure: phase === 'failed' ? 'unreachable' : null,
  error: phase === 'failed' ? 'cannot reach http://127.0.0.1:4873' : null,
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
