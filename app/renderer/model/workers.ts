// What the workers table shows and offers for one fused worker (contract §9.3, plus draining,
// restart, force stop, and no Upgrade that would downgrade).
import {
  compareVersions,
  normalizeApiUrl,
  type FusedWorker,
  type WorkerMode,
  type WorkerVerb,
} from '../../shared/index.ts';

/** The row's buttons: the contract's lifecycle verbs, and Upgrade (which needs a target version). */
export type Verb = WorkerVerb | 'upgrade';

export interface VerbInfo {
  label: string;
  /** Shown on the button while the command runs. */
  progress: string;
  /** Inline result after success. */
  done: string;
  /** Destructive verbs are confirmed in a dialog first. */
  confirm: boolean;
  danger: boolean;
}

export const VERBS: Record<Verb, VerbInfo> = {
  start: { label: 'Start', progress: 'Starting…', done: 'started', confirm: false, danger: false },
  stop: { label: 'Stop', progress: 'Stopping…', done: 'stopped', confirm: true, danger: false },
  'force-stop': {
    label: 'Force stop',
    progress: 'Stopping…',
    done: 'stopped (forced)',
    confirm: true,
    danger: true,
  },
  restart: {
    label: 'Restart',
    progress: 'Restarting…',
    done: 'restarted',
    confirm: false,
    danger: false,
  },
  disable: {
    label: 'Disable',
    progress: 'Disabling…',
    done: 'disabled',
    confirm: true,
    danger: false,
  },
  enable: {
    label: 'Enable',
    progress: 'Enabling…',
    done: 'enabled',
    confirm: false,
    danger: false,
  },
  delete: { label: 'Delete', progress: 'Deleting…', done: 'deleted', confirm: true, danger: true },
  upgrade: {
    label: 'Upgrade',
    progress: 'Upgrading…',
    done: 'upgraded',
    confirm: true,
    danger: false,
  },
  rollback: {
    label: 'Roll back',
    progress: 'Rolling back…',
    done: 'rolled back',
    confirm: true,
    danger: false,
  },
  'install-runtime': {
    label: 'Install runtime',
    progress: 'Installing…',
    done: 'runtime installed',
    confirm: false,
    danger: false,
  },
};

export type Tone = 'ok' | 'busy' | 'warn' | 'bad' | 'neutral';

export function toneOf(state: string): Tone {
  switch (state) {
    case 'running':
    case 'online':
      return 'ok';
    case 'busy':
    case 'starting':
      return 'busy';
    case 'backing-off':
    case 'needs-runtime':
    case 'disabled':
    case 'draining':
    case 'stale':
      return 'warn';
    case 'crashed':
    case 'offline':
      return 'bad';
    default:
      return 'neutral';
  }
}

/** Local badge text: the supervisor state, `draining` while a stop waits for the run. */
export function localState(w: FusedWorker): string {
  if (!w.local) return 'unknown';
  if (w.local.draining) return 'draining';
  return w.local.state;
}

/** Remote badge (§6): disabled > busy > the API's status; null without remote data. */
export function remoteState(w: FusedWorker): string | null {
  if (!w.remote) return null;
  if (w.remote.disabled) return 'disabled';
  if (w.busy) return 'busy';
  return w.remote.derivedStatus ?? w.remote.status;
}

/** Upgrade only to a newer version: a string compare would offer downgrades. */
export function upgradeTarget(w: FusedWorker): string | null {
  const latest = w.latestWorkerVersion;
  if (!w.versionStale || !latest || !w.workerVersion) return null;
  const cmp = compareVersions(latest, w.workerVersion);
  return cmp === null || cmp > 0 ? latest : null;
}

/** The row's lifecycle buttons, in display order (Logs/Runs are not verbs). */
export function verbsFor(w: FusedWorker): Verb[] {
  const out: Verb[] = [];
  if (w.desiredState === 'disabled') out.push('start');
  else out.push('stop');
  if (w.local?.draining) out.push('force-stop');
  if (w.desiredState === 'enabled') out.push('restart');
  out.push(w.remote?.disabled ? 'enable' : 'disable');
  if (upgradeTarget(w)) out.push('upgrade');
  // No runtime (a failed install): the Retry. A previous managed version: the way back.
  if (w.runtime?.source === 'none') out.push('install-runtime');
  if (w.runtime?.source === 'managed' && w.runtime.previous) out.push('rollback');
  out.push('delete');
  return out;
}

/** Distinct environments of the host's workers (optionally of one mode), in first-seen order. */
export function apiUrlsOf(workers: readonly FusedWorker[], mode?: WorkerMode): string[] {
  const seen = new Set<string>();
  for (const w of workers) if (!mode || w.mode === mode) seen.add(normalizeApiUrl(w.apiUrl));
  return [...seen];
}

export function confirmText(verb: Verb, w: FusedWorker): { title: string; body: string } {
  const label = w.label;
  switch (verb) {
    case 'stop':
      return {
        title: `Stop ${label}?`,
        body: w.busy
          ? 'The worker is running a job. It finishes the run first (draining), then stops. It stays registered and can be started again.'
          : 'The worker process stops on this host. It stays registered and can be started again.',
      };
    case 'force-stop':
      return {
        title: `Force stop ${label}?`,
        body: 'The worker and everything it started are killed now. A run in progress is cut off and fails.',
      };
    case 'disable':
      return {
        title: `Disable ${label}?`,
        body: 'PipedAI stops sending it work, then the worker stops on this host (after finishing a run in progress).',
      };
    case 'delete':
      return {
        title: `Delete ${label}?`,
        body: 'The worker is deregistered (its token is revoked) and removed from this host. Run history is kept. This cannot be undone.',
      };
    case 'upgrade':
      return {
        title: `Upgrade ${label} to v${upgradeTarget(w) ?? '?'}?`,
        body: 'The new version is installed beside the current one first. Then PipedAI stops sending it work, the worker finishes its run in progress and restarts on the new version. If it keeps crashing, it goes back by itself.',
      };
    case 'rollback':
      return {
        title: `Roll ${label} back to ${w.runtime?.previous ?? 'its previous version'}?`,
        body: 'PipedAI stops sending it work, the worker finishes its run in progress, then it restarts on its previous version.',
      };
    default:
      return { title: `${VERBS[verb].label} ${label}?`, body: '' };
  }
}
