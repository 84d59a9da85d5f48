// What the dashboard says about the worker runtime: its source per worker, the install phases,
// failures (naming the registry and the package, from the daemon) and rollbacks.
import type {
  FusedWorker,
  InstallPhase,
  RollbackEvent,
  RuntimeInstall,
} from '../../shared/index.ts';

export const INSTALL_STEPS: readonly InstallPhase[] = [
  'resolving',
  'downloading',
  'installing',
  'verifying',
];

export const PHASE_TEXT: Record<InstallPhase, string> = {
  queued: 'Waiting for another install',
  resolving: 'Resolving',
  downloading: 'Downloading',
  installing: 'Installing',
  verifying: 'Verifying',
  done: 'Installed',
  failed: 'Failed',
};

export const installActive = (i: RuntimeInstall | null): i is RuntimeInstall =>
  i !== null && i.phase !== 'done' && i.phase !== 'failed';

/** `@pipedai/worker@1.4.2` once resolved, else what was asked for. */
export const installTarget = (i: RuntimeInstall): string =>
  i.version ? `${i.package}@${i.version}` : i.spec;

/** One line, e.g. "Downloading @pipedai/worker@1.4.2 from http://…". */
export function installLine(i: RuntimeInstall): string {
  if (i.phase === 'failed') return i.error ?? `${installTarget(i)} could not be installed`;
  const from = i.registry ? ` from ${i.registry}` : '';
  return `${PHASE_TEXT[i.phase]} ${installTarget(i)}${i.phase === 'done' ? '' : `${from}…`}`;
}

/** Step states for a stepper: done, current, todo (failed marks the current one). */
export function installSteps(
  i: RuntimeInstall,
): Array<{ phase: InstallPhase; state: 'done' | 'current' | 'todo' | 'failed' }> {
  const at = INSTALL_STEPS.indexOf(i.phase);
  return INSTALL_STEPS.map((phase, n) => {
    if (i.phase === 'done') return { phase, state: 'done' };
    if (i.phase === 'failed') {
      // The failure happened in the last phase reached; without one, at the start.
      return { phase, state: n === 0 ? 'failed' : 'todo' };
    }
    if (at < 0) return { phase, state: 'todo' };
    return { phase, state: n < at ? 'done' : n === at ? 'current' : 'todo' };
  });
}

/** The runtime cell's text: `managed 1.5.0`, `PATH`, `override`, or what is missing. */
export function runtimeLabel(w: FusedWorker): string {
  const r = w.runtime;
  if (!r) return '—';
  switch (r.source) {
    case 'managed':
      return `managed ${r.version ?? ''}`.trim();
    case 'path':
      return 'PATH';
    case 'override':
      return 'override';
    case 'none':
      return 'not installed';
  }
}

/** The install a worker waits for (it is named in it, or it has no runtime and one runs). */
export function installFor(w: FusedWorker, i: RuntimeInstall | null): RuntimeInstall | null {
  if (!installActive(i)) return null;
  return i.workerIds.includes(w.id) || w.runtime?.source === 'none' ? i : null;
}

export function rollbackNotice(r: RollbackEvent): string {
  return r.automatic
    ? `${r.label} rolled back from ${r.from} to ${r.to} by itself: ${r.reason}`
    : `${r.label} rolled back from ${r.from} to ${r.to}`;
}
