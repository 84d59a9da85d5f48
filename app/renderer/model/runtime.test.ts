import { describe, expect, it } from 'vitest';
import type { FusedWorker } from '../../shared/index.ts';
import { runtimeInstall as install } from '../../shared/test-support.ts';
import { worker } from '../store/test-support.ts';
import {
  INSTALL_STEPS,
  PHASE_TEXT,
  installActive,
  installFor,
  installLine,
  installSteps,
  rollbackNotice,
  runtimeLabel,
} from './runtime.ts';
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

describe('runtime install, as the dashboard tells it', () => {
  it('names every phase', () => {
    expect(INSTALL_STEPS).toEqual(['resolving', 'downloading', 'installing', 'verifying']);
    expect(PHASE_TEXT).toEqual({
      queued: 'Waiting for another install',
      resolving: 'Resolving',
      downloading: 'Downloading',
      installing: 'Installing',
      verifying: 'Verifying',
      done: 'Installed',
      failed: 'Failed',
    });
  });

  it('one line per phase: what was asked for until resolved, the registry while it runs', () => {
    expect(installLine(install('queued'))).toBe(
      'Waiting for another install @pipedai/worker@latest from http://127.0.0.1:4873…',
    );
    expect(installLine(install('resolving', { registry: null }))).toBe(
      'Resolving @pipedai/worker@latest…',
    );
    expect(installLine(install('done'))).toBe('Installed @pipedai/worker@1.4.2');
    expect(installLine(install('failed', { error: null }))).toBe(
      '@pipedai/worker@1.4.2 could not be installed',
    );
  });

  it('a stepper: each phase done, current or to do; a failure marks the first step', () => {
    const states = (i: ReturnType<typeof install>) => installSteps(i).map((s) => s.state);
    expect(states(install('resolving'))).toEqual(['current', 'todo', 'todo', 'todo']);
    expect(states(install('verifying'))).toEqual(['done', 'done', 'done', 'current']);
    expect(states(install('queued'))).toEqual(['todo', 'todo', 'todo', 'todo']);
    expect(states(install('failed'))).toEqual(['failed', 'todo', 'todo', 'todo']);
    expect(installSteps(install('installing')).map((s) => s.phase)).toEqual(INSTALL_STEPS);
  });

  it('an install is active until done or failed; a worker waits for one that names it', () => {
    expect(installActive(null)).toBe(false);
    expect(installActive(install('queued'))).toBe(true);
    expect(installActive(install('verifying'))).toBe(true);
    expect(installActive(install('done'))).toBe(false);
    expect(installActive(install('failed'))).toBe(false);
    expect(installFor(runtime({}), install('installing', { workerIds: ['w'] }))?.phase).toBe(
      'installing',
    );
    expect(installFor(runtime({}), install('installing', { workerIds: ['other'] }))).toBeNull();
    expect(installFor(runtime({ source: 'none' }), install('done'))).toBeNull();
    expect(installFor(runtime({ source: 'none' }), null)).toBeNull();
  });

  it('labels an override, a managed runtime without a version, and no runtime data', () => {
    expect(runtimeLabel(runtime({ source: 'override', version: null }))).toBe('override');
    expect(runtimeLabel(runtime({ version: null }))).toBe('managed');
    expect(runtimeLabel({ ...runtime({}), runtime: null })).toBe('—');
  });

  it('says who rolled a worker back, and why when it did so by itself', () => {
    const r = {
      id: 'w',
      label: 'mac',
      from: '1.5.1',
      to: '1.5.0',
      reason: 'crashed 3 times',
      at: 1,
    };
    expect(rollbackNotice({ ...r, automatic: true })).toBe(
      'mac rolled back from 1.5.1 to 1.5.0 by itself: crashed 3 times',
    );
    expect(rollbackNotice({ ...r, automatic: false })).toBe('mac rolled back from 1.5.1 to 1.5.0');
  });
});
