import { describe, expect, it } from 'vitest';
import type { FusedWorker, SupervisorStatus, WorkerRuntimeView } from '../../shared/index.ts';
import { local as localOf, worker } from '../store/test-support.ts';
import {
  VERBS,
  apiUrlsOf,
  confirmText,
  localState,
  remoteState,
  toneOf,
  upgradeTarget,
  verbsFor,
} from './workers.ts';

const local = (patch: Partial<SupervisorStatus> = {}): SupervisorStatus => localOf('w', patch);

const w = (patch: Partial<FusedWorker> = {}): FusedWorker =>
  worker('w', {
    label: 'w',
    remote: {
      status: 'online',
      currentRunId: null,
      version: '1.0.0',
      lastSeenAt: null,
      disabled: false,
    },
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

const rt = (patch: Partial<WorkerRuntimeView>): WorkerRuntimeView => ({
  source: 'managed',
  version: '1.0.0',
  previous: null,
  command: null,
  rolledBackFrom: null,
  rolledBackAutomatically: false,
  problem: null,
  ...patch,
});

describe('the row’s buttons', () => {
  it('names every verb, its progress and its result as the operator reads them', () => {
    const text = Object.fromEntries(
      Object.entries(VERBS).map(([verb, v]) => [verb, [v.label, v.progress, v.done]]),
    );
    expect(text).toEqual({
      start: ['Start', 'Starting…', 'started'],
      stop: ['Stop', 'Stopping…', 'stopped'],
      'force-stop': ['Force stop', 'Stopping…', 'stopped (forced)'],
      restart: ['Restart', 'Restarting…', 'restarted'],
      disable: ['Disable', 'Disabling…', 'disabled'],
      enable: ['Enable', 'Enabling…', 'enabled'],
      delete: ['Delete', 'Deleting…', 'deleted'],
      upgrade: ['Upgrade', 'Upgrading…', 'upgraded'],
      rollback: ['Roll back', 'Rolling back…', 'rolled back'],
      'install-runtime': ['Install runtime', 'Installing…', 'runtime installed'],
    });
  });

  it('confirms every verb that stops work or cannot be undone; only force stop and delete are red', () => {
    const confirmed = Object.entries(VERBS)
      .filter(([, v]) => v.confirm)
      .map(([verb]) => verb);
    expect(confirmed.sort()).toEqual(
      ['delete', 'disable', 'force-stop', 'rollback', 'stop', 'upgrade'].sort(),
    );
    const danger = Object.entries(VERBS)
      .filter(([, v]) => v.danger)
      .map(([verb]) => verb);
    expect(danger.sort()).toEqual(['delete', 'force-stop']);
  });

  it('offers the runtime install after a failed one, and a rollback only with a previous version', () => {
    expect(verbsFor(w({ runtime: rt({ source: 'none', version: null }) }))).toEqual([
      'stop',
      'restart',
      'disable',
      'install-runtime',
      'delete',
    ]);
    expect(verbsFor(w({ runtime: rt({ previous: '0.9.0' }) }))).toEqual([
      'stop',
      'restart',
      'disable',
      'rollback',
      'delete',
    ]);
    expect(verbsFor(w({ runtime: rt({}) }))).not.toContain('rollback');
    expect(verbsFor(w({ runtime: rt({ source: 'path', previous: '0.9.0' }) }))).not.toContain(
      'rollback',
    );
    // Draining: Stop stays (it is what is happening), Force stop is offered beside it.
    expect(verbsFor(w({ local: local({ draining: true }) }))).toEqual([
      'stop',
      'force-stop',
      'restart',
      'disable',
      'delete',
    ]);
  });

  it('upgrades to a newer or an unreadable latest version, never to the same one', () => {
    expect(upgradeTarget(w({ versionStale: true, latestWorkerVersion: '1.0.0' }))).toBeNull();
    expect(upgradeTarget(w({ versionStale: true, latestWorkerVersion: 'next' }))).toBe('next');
    expect(upgradeTarget(w({ versionStale: true, latestWorkerVersion: null }))).toBeNull();
  });
});

describe('tones', () => {
  it('colours each state', () => {
    const tones = Object.fromEntries(
      [
        'running',
        'online',
        'busy',
        'starting',
        'backing-off',
        'needs-runtime',
        'disabled',
        'draining',
        'stale',
        'crashed',
        'offline',
        'stopped',
        '',
      ].map((s) => [s, toneOf(s)]),
    );
    expect(tones).toEqual({
      running: 'ok',
      online: 'ok',
      busy: 'busy',
      starting: 'busy',
      'backing-off': 'warn',
      'needs-runtime': 'warn',
      disabled: 'warn',
      draining: 'warn',
      stale: 'warn',
      crashed: 'bad',
      offline: 'bad',
      stopped: 'neutral',
      '': 'neutral',
    });
  });
});

describe('confirmations', () => {
  const named = w({ label: 'gpu-1' });

  it('says what each destructive verb does to this worker', () => {
    expect(confirmText('stop', named)).toEqual({
      title: 'Stop gpu-1?',
      body: 'The worker process stops on this host. It stays registered and can be started again.',
    });
    expect(confirmText('stop', w({ label: 'gpu-1', busy: true })).body).toMatch(
      /^The worker is running a job\. It finishes the run first \(draining\)/,
    );
    expect(confirmText('force-stop', named)).toEqual({
      title: 'Force stop gpu-1?',
      body: 'The worker and everything it started are killed now. A run in progress is cut off and fails.',
    });
    expect(confirmText('disable', named).title).toBe('Disable gpu-1?');
    expect(confirmText('disable', named).body).toMatch(/^PipedAI stops sending it work/);
    expect(confirmText('delete', named).title).toBe('Delete gpu-1?');
    expect(confirmText('delete', named).body).toMatch(/token is revoked.*cannot be undone\.$/);
    expect(confirmText('rollback', named).body).toMatch(/restarts on its previous version\.$/);
  });

  it('names the versions an upgrade or a rollback goes to, or says it does not know', () => {
    const stale = w({ label: 'gpu-1', versionStale: true, latestWorkerVersion: '1.2.0' });
    expect(confirmText('upgrade', stale).title).toBe('Upgrade gpu-1 to v1.2.0?');
    expect(confirmText('upgrade', stale).body).toMatch(/^The new version is installed beside/);
    expect(confirmText('upgrade', named).title).toBe('Upgrade gpu-1 to v??');
    expect(
      confirmText('rollback', w({ label: 'gpu-1', runtime: rt({ previous: '0.9.0' }) })).title,
    ).toBe('Roll gpu-1 back to 0.9.0?');
    expect(confirmText('rollback', named).title).toBe('Roll gpu-1 back to its previous version?');
  });

  it('any other verb asks plainly', () => {
    expect(confirmText('restart', named)).toEqual({ title: 'Restart gpu-1?', body: '' });
  });
});
