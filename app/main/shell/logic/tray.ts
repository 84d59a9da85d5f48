// The tray, as data: icon state, tooltip and menu built from the shell's view. The tray adapter
// turns this into Electron's Menu; every label and enabled flag is decided here.
import {
  bytesText,
  clockText,
  cpuText,
  drainingText,
  isCrashLooping,
  staleText,
  type FusedWorker,
  type RuntimeInstall,
  type WorkerVerb,
} from '../../../shared/index.ts';
import { aggregateHostState, heartbeatLate, type HostState } from './host-state.ts';
import { loginItemLabel } from './login-item.ts';
import { drainStatusLine } from './quit.ts';
import { updateMenuItem } from './updates.ts';
import { liveWorkerCount, type ShellState } from './shell-state.ts';

export const PRODUCT_NAME = 'PipedAI Orchestrator';

/**
 * The verbs the tray offers per worker (the contract's table says what each runs). Force stop
 * cuts a drain short: the run is lost.
 */
export type TrayVerb = Extract<WorkerVerb, 'start' | 'stop' | 'restart' | 'force-stop'>;

export type TrayAction =
  | { kind: 'worker'; verb: TrayVerb; id: string; label: string }
  | { kind: 'logs'; id: string }
  | { kind: 'open-dashboard' }
  | { kind: 'connect' }
  | { kind: 'toggle-login' }
  | { kind: 'check-updates' }
  | { kind: 'restart-to-update' }
  | { kind: 'install-cli' }
  | { kind: 'quit' };

export type MenuItemModel =
  | { type: 'label'; label: string }
  | { type: 'action'; label: string; action: TrayAction; enabled: boolean }
  | { type: 'checkbox'; label: string; checked: boolean; action: TrayAction; enabled: boolean }
  | { type: 'separator' }
  | { type: 'submenu'; label: string; items: MenuItemModel[] };

export interface TrayModel {
  icon: HostState;
  tooltip: string;
  items: MenuItemModel[];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line under the tray icon that says how the host is doing. */
export function statusLine(s: ShellState): string {
  if (s.quitting) return drainStatusLine(liveWorkerCount(s.workers), s.quitting.total);
  if (s.link === 'connecting') return 'Connecting to the daemon…';
  if (s.link === 'reconnecting') return 'Daemon unreachable — reconnecting…';
  if (s.workers === null) return 'Starting…';
  const state = aggregateHostState(s);
  const workers = s.workers;
  switch (state) {
    case 'notconnected':
      return 'Not connected — Connect this host to add a worker';
    case 'crashloop':
      return `Crash loop: ${workers
        .filter(isCrashLooping)
        .map((w) => w.label)
        .join(', ')}`;
    case 'offline':
      return `${offlineWhat(s)} — workers keep running; remote status is out of date`;
    case 'degraded': {
      const active = workers.filter((w) => w.desiredState === 'enabled' && !w.remote?.disabled);
      if (active.length === 0) return 'No worker enabled';
      const late = active.filter(heartbeatLate);
      if (late.length > 0)
        return `Heartbeats not reaching PipedAI: ${late.map((w) => w.label).join(', ')}`;
      const running = active.filter((w) => w.local?.state === 'running').length;
      return `${running} of ${plural(active.length, 'worker')} running`;
    }
    case 'running': {
      const running = workers.filter((w) => w.local?.state === 'running').length;
      return `${plural(running, 'worker')} running`;
    }
  }
}

/** What cannot be reached, and since when: "pipedai-api unreachable since 15:53". */
function offlineWhat(s: ShellState): string {
  const since = s.outageSince === null ? '' : ` since ${clockText(s.outageSince)}`;
  if (s.verdict === 'offline') return `Offline: no network${since}`;
  if (s.verdict === 'api-unreachable') return `pipedai-api unreachable${since}`;
  return "PipedAI's worker list unreadable";
}

/**
 * A worker's state in a few words: local run state, crash loop, drain (run, how long), busy, and
 * PipedAI's view when it is out of date ("remote stale · seen 46s ago").
 */
export function workerStateText(w: FusedWorker, now = Date.now()): string {
  const text = localStateText(w, now);
  return w.remote?.stale ? `${text}, remote ${staleText(w.remote, now)}` : text;
}

/** A worker's state in a few words: local run state, crash loop, drain (run, how long), busy. */
function localStateText(w: FusedWorker, now: number): string {
  const local = w.local;
  if (!local) return w.desiredState === 'enabled' ? 'not supervised' : 'stopped';
  if (isCrashLooping(w)) return `crash loop (×${local.restarts})`;
  const draining = drainingText(w, now);
  if (draining !== null) return draining;
  const parts: string[] = [local.state];
  if (local.restarts > 0) parts[0] += ` ×${local.restarts}`;
  if (w.busy && !w.remote?.stale) parts.push('busy');
  if (w.remote?.disabled) parts.push('disabled on the server');
  return parts.join(', ');
}

function workerItems(w: FusedWorker, canAct: boolean, canForce: boolean): MenuItemModel[] {
  // Stryker disable next-line StringLiteral: only running, starting and backing-off are told apart below; any other word reads as stopped
  const state = w.local?.state ?? 'stopped';
  const live = state === 'running' || state === 'starting' || state === 'backing-off';
  const verb = (v: TrayVerb, label: string, enabled: boolean): MenuItemModel => ({
    type: 'action',
    label,
    action: { kind: 'worker', verb: v, id: w.id, label: w.label },
    enabled: canAct && enabled,
  });
  return [
    verb('start', 'Start', state !== 'running' && state !== 'starting'),
    // Stryker disable next-line OptionalChaining: a live worker has a local status
    verb('stop', 'Stop', live && !w.local?.draining),
    verb('restart', 'Restart', state === 'running' || state === 'backing-off'),
    ...(w.local?.draining
      ? [
          {
            type: 'action' as const,
            label: 'Force stop (the run is lost)',
            action: {
              kind: 'worker' as const,
              verb: 'force-stop' as const,
              id: w.id,
              label: w.label,
            },
            enabled: canForce,
          },
        ]
      : []),
    { type: 'separator' },
    { type: 'action', label: 'Logs…', action: { kind: 'logs', id: w.id }, enabled: true },
  ];
}

function updateItem(s: ShellState): MenuItemModel {
  const { label, action } = updateMenuItem(s.update);
  if (action === null) return { type: 'label', label };
  return {
    type: 'action',
    label,
    action: { kind: action === 'restart' ? 'restart-to-update' : 'check-updates' },
    enabled: s.quitting === null,
  };
}

/** macOS: "Install command line tool" until the link is ours. */
function cliToolItems(s: ShellState): MenuItemModel[] {
  if (s.cliTool === null) return [];
  if (s.cliTool === 'installed') return [{ type: 'label', label: 'Command line tool installed' }];
  return [
    {
      type: 'action',
      label: 'Install command line tool',
      action: { kind: 'install-cli' },
      enabled: s.quitting === null,
    },
  ];
}

export function trayModel(s: ShellState, now = Date.now()): TrayModel {
  const line = statusLine(s);
  const canAct = s.link === 'open' && s.quitting === null;
  // While Quit drains, Force stop is the one way to end a long run now.
  const canForce = s.link === 'open';
  const items: MenuItemModel[] = [{ type: 'label', label: line }];
  if (s.mode === 'attached') items.push({ type: 'label', label: 'Driving the headless daemon' });
  items.push({ type: 'separator' });
  const workers = s.workers ?? [];
  if (workers.length === 0) items.push({ type: 'label', label: 'No workers yet' });
  for (const w of workers)
    items.push({
      type: 'submenu',
      label: `${w.label} — ${workerStateText(w, now)}`,
      items: workerItems(w, canAct, canForce),
    });
  items.push(
    { type: 'separator' },
    { type: 'action', label: 'Open dashboard', action: { kind: 'open-dashboard' }, enabled: true },
    {
      type: 'action',
      label: 'Connect this host…',
      action: { kind: 'connect' },
      enabled: canAct,
    },
    { type: 'separator' },
    {
      type: 'checkbox',
      label: loginItemLabel(s.launchAtLogin),
      checked: s.launchAtLogin?.on === true,
      action: { kind: 'toggle-login' },
      enabled: s.launchAtLogin !== null && s.quitting === null,
    },
    updateItem(s),
    ...cliToolItems(s),
    { type: 'separator' },
    s.quitting
      ? { type: 'label', label: 'Quitting…' }
      : {
          type: 'action',
          label: s.mode === 'attached' ? 'Quit (the daemon keeps running)' : 'Quit',
          action: { kind: 'quit' },
          enabled: true,
        },
  );
  // The tooltip also tells what the workers use, and an install in progress (connect, build,
  // upgrade), phase by phase.
  const totals = resourceTotals(workers);
  const install = s.install ? ` · ${installTooltip(s.install)}` : '';
  return {
    icon: aggregateHostState(s),
    tooltip: `${PRODUCT_NAME} — ${line}${totals ? ` · ${totals}` : ''}${install}`,
    items,
  };
}

/**
 * "CPU 12.5% · 150.2 MiB": the workers' process trees together, from their latest samples; null
 * when none has figures (none runs, or this OS gives none).
 */
export function resourceTotals(workers: readonly FusedWorker[]): string | null {
  let cpu = 0;
  let rss = 0;
  let measured = 0;
  for (const w of workers) {
    if (!w.resources) continue;
    // Stryker disable next-line UpdateOperator: only whether it is 0 is read
    measured++;
    cpu += w.resources.cpuPercent;
    rss += w.resources.rssBytes;
  }
  return measured === 0 ? null : `CPU ${cpuText(cpu)} · ${bytesText(rss)}`;
}

const PHASE: Record<RuntimeInstall['phase'], string> = {
  queued: 'waiting to install',
  resolving: 'resolving',
  downloading: 'downloading',
  installing: 'installing',
  verifying: 'verifying',
  done: 'installed',
  failed: 'install failed',
};

/** "downloading @pipedai/worker@1.4.2" */
export function installTooltip(i: RuntimeInstall): string {
  return `${PHASE[i.phase]} ${i.version ? `${i.package}@${i.version}` : i.spec}`;
}

/** Windows users click the tray icon to open the app; elsewhere a click opens the menu. */
export function trayClickOpensWindow(platform: NodeJS.Platform): boolean {
  return platform === 'win32';
}
