import { describe, expect, it } from 'vitest';
import type { FusedWorker, SupervisorStatus } from '../../shared/index.ts';
import { apiUrlsOf, localState, remoteState, toneOf, upgradeTarget, verbsFor } from './workers.ts';

const local = (patch: Partial<SupervisorStatus> = {}): SupervisorStatus => ({
  id: 'w',
  state: 'running',
  pid: 1,
  startedAt: 0,
  restarts: 0,
  lastExit: null,
  draining: false,
  drainingSince: null,
  nextRestartAt: null,
  adopted: false,
  ...patch,
});

const w = (patch: Partial<FusedWorker> = {}): FusedWorker => ({
  id: 'w',
  label: 'w',
  mode: 'workspace',
  apiUrl: 'https://api.pipedai.app',
  desiredState: 'enabled',
  local: local(),
  remote: {
    status: 'online',
    currentRunId: null,
    version: '1.0.0',
    lastSeenAt: null,
    disabled: false,
  },
  lastEvent: null,
  busy: false,
  currentRunId: null,
  workerVersion: '1.0.0',
  latestWorkerVersion: '1.0.0',
  versionStale: false,
  ...patch,
});

describe('worker presentation', () => {
  it('local state: unknown without a record, draining while a stop waits', () => {
    expect(localState(w({ local: null }))).toBe('unknown');
    expect(localState(w({ local: local({ draining: true }) }))).toBe('draining');
    expect(localState(w())).toBe('running');
  });

  it('remote state: disabled > busy > derived > status; null without data', () => {
    expect(remoteState(w({ remote: null }))).toBeNull();
    const remote = w().remote!;
    expect(remoteState(w({ remote: { ...remote, disabled: true }, busy: true }))).toBe('disabled');
    expect(remoteState(w({ busy: true }))).toBe('busy');
    expect(remoteState(w({ remote: { ...remote, derivedStatus: 'offline' } }))).toBe('offline');
    expect(remoteState(w())).toBe('online');
  });

  it('offers Upgrade only to a newer version', () => {
    expect(upgradeTarget(w({ versionStale: true, latestWorkerVersion: '1.2.0' }))).toBe('1.2.0');
    expect(upgradeTarget(w({ versionStale: true, latestWorkerVersion: '0.9.0' }))).toBeNull();
    expect(upgradeTarget(w({ versionStale: false, latestWorkerVersion: '1.2.0' }))).toBeNull();
    expect(upgradeTarget(w({ versionStale: true, workerVersion: null }))).toBeNull();
  });

  it('verbs follow the state', () => {
    expect(verbsFor(w())).toEqual(['stop', 'restart', 'disable', 'delete']);
    expect(verbsFor(w({ desiredState: 'disabled' }))).toEqual(['start', 'disable', 'delete']);
    expect(verbsFor(w({ local: local({ draining: true }) }))).toContain('force-stop');
    expect(
      verbsFor(
        w({
          remote: { ...w().remote!, disabled: true },
          versionStale: true,
          latestWorkerVersion: '2.0.0',
        }),
      ),
    ).toEqual(['stop', 'restart', 'enable', 'upgrade', 'delete']);
  });

  it('tones and environments', () => {
    expect(toneOf('running')).toBe('ok');
    expect(toneOf('crashed')).toBe('bad');
    expect(toneOf('draining')).toBe('warn');
    expect(toneOf('whatever')).toBe('neutral');
    const list = [
      w({ apiUrl: 'https://a/' }),
      w({ apiUrl: 'https://b', mode: 'pool' }),
      w({ apiUrl: 'https://a' }),
    ];
    expect(apiUrlsOf(list)).toEqual(['https://a', 'https://b']);
    expect(apiUrlsOf(list, 'workspace')).toEqual(['https://a']);
  });
});
