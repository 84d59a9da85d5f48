import { describe, expect, it } from 'vitest';
import { HOST_STATES, type HostState } from './host-state.ts';
import type { ShellState } from './shell-state.ts';
import { InstallPhase } from '../../../shared/index.ts';
import { runtimeInstall } from '../../../shared/test-support.ts';
import { remote, shell, worker } from './test-support.ts';
import {
  installTooltip,
  resourceTotals,
  statusLine,
  trayClickOpensWindow,
  trayModel,
  workerStateText,
  type MenuItemModel,
} from './tray.ts';

/** The menu as short strings, for whole-menu assertions: `[x]` disabled, `(✓)` checked. */
function outline(items: readonly MenuItemModel[], indent = ''): string[] {
  return items.flatMap((i) => {
    switch (i.type) {
      case 'separator':
        return [`${indent}---`];
      case 'label':
        return [`${indent}[x] ${i.label}`];
      case 'action':
        return [`${indent}${i.enabled ? '' : '[x] '}${i.label}`];
      case 'checkbox':
        return [`${indent}${i.enabled ? '' : '[x] '}${i.checked ? '(✓)' : '( )'} ${i.label}`];
      case 'submenu':
        return [`${indent}${i.label} ▸`, ...outline(i.items, `${indent}  `)];
    }
  });
}

const find = (items: readonly MenuItemModel[], label: string): MenuItemModel | undefined =>
  items.find((i) => 'label' in i && i.label === label);

describe('tray menu', () => {
  it('macOS: offers "Install command line tool" until the /usr/local/bin link is ours', () => {
    const menu = (cliTool: ShellState['cliTool']) =>
      outline(trayModel(shell([], { cliTool })).items);
    expect(menu(null)).not.toContain('Install command line tool');
    for (const state of ['absent', 'other'] as const) {
      const items = menu(state);
      expect(items.indexOf('Install command line tool')).toBe(
        items.indexOf('Check for updates') + 1,
      );
    }
    expect(menu('installed')).toContain('[x] Command line tool installed');
    const item = find(
      trayModel(shell([], { cliTool: 'absent' })).items,
      'Install command line tool',
    );
    expect(item).toMatchObject({ action: { kind: 'install-cli' }, enabled: true });
  });
  it('lists the host status, each worker with its actions, then the app items', () => {
    const s = shell(
      [worker('alpha', 'running'), worker('beta', 'stopped', { desiredState: 'disabled' })],
      {
        launchAtLogin: { on: true, note: null },
      },
    );
    expect(outline(trayModel(s).items)).toEqual([
      '[x] 1 worker running',
      '---',
      'alpha — running ▸',
      '  [x] Start',
      '  Stop',
      '  Restart',
      '  ---',
      '  Logs…',
      'beta — stopped ▸',
      '  Start',
      '  [x] Stop',
      '  [x] Restart',
      '  ---',
      '  Logs…',
      '---',
      'Open dashboard',
      'Connect this host…',
      '---',
      '(✓) Launch at login',
      'Check for updates',
      '---',
      'Quit',
    ]);
  });

  it('carries the worker id in every worker action', () => {
    const items = trayModel(shell([worker('w-1', 'running', { label: 'Build box' })])).items;
    const sub = items.find((i) => i.type === 'submenu');
    expect(sub?.type === 'submenu' && sub.label).toBe('Build box — running');
    const actions = sub?.type === 'submenu' ? sub.items.filter((i) => i.type === 'action') : [];
    expect(actions.map((a) => a.type === 'action' && a.action)).toEqual([
      { kind: 'worker', verb: 'start', id: 'w-1', label: 'Build box' },
      { kind: 'worker', verb: 'stop', id: 'w-1', label: 'Build box' },
      { kind: 'worker', verb: 'restart', id: 'w-1', label: 'Build box' },
      { kind: 'logs', id: 'w-1' },
    ]);
  });

  it('says so when there are no workers, and offers Connect this host', () => {
    const m = trayModel(shell([]));
    expect(m.icon).toBe('notconnected');
    expect(outline(m.items).slice(0, 4)).toEqual([
      '[x] Not connected — Connect this host to add a worker',
      '---',
      '[x] No workers yet',
      '---',
    ]);
    expect(find(m.items, 'Connect this host…')).toMatchObject({ enabled: true });
  });

  it('builds a menu and an icon for every aggregate state', () => {
    const byState: Record<HostState, ShellState> = {
      running: shell([worker('a', 'running'), worker('b', 'running')]),
      degraded: shell([worker('a', 'running'), worker('b', 'backing-off', { restarts: 1 })]),
      crashloop: shell([worker('a', 'running'), worker('b', 'crashed', { restarts: 7 })]),
      offline: shell([worker('a', 'running')], { verdict: 'api-unreachable' }),
      notconnected: shell([]),
    };
    const lines: Record<HostState, string> = {
      running: '2 workers running',
      degraded: '1 of 2 workers running',
      crashloop: 'Crash loop: b',
      offline: 'pipedai-api unreachable — workers keep running; remote status is out of date',
      notconnected: 'Not connected — Connect this host to add a worker',
    };
    for (const state of HOST_STATES) {
      const m = trayModel(byState[state]);
      expect(m.icon, state).toBe(state);
      expect(m.items[0], state).toEqual({ type: 'label', label: lines[state] });
      expect(m.tooltip).toBe(`PipedAI Orchestrator — ${lines[state]}`);
    }
  });

  it('tells an outage with its start, and stale remote status, in the line and the menu', () => {
    const now = Date.parse('2026-12-03T15:54:00Z');
    const since = new Date(2026, 11, 3, 15, 53, 10).getTime();
    const stale = {
      status: 'online',
      currentRunId: null,
      version: null,
      lastSeenAt: new Date(now - 46_000).toISOString(),
      disabled: false,
      stale: true,
      staleReason: 'api-unreachable' as const,
    };
    const s = shell([worker('a', 'running', { remote: stale })], {
      verdict: 'api-unreachable',
      outageSince: since,
    });
    const m = trayModel(s, now);
    expect(m.icon).toBe('offline');
    expect(m.items[0]).toEqual({
      type: 'label',
      label:
        'pipedai-api unreachable since 15:53 — workers keep running; remote status is out of date',
    });
    expect(m.items.find((i) => i.type === 'submenu')).toMatchObject({
      label: 'a — running, remote stale · seen 46s ago',
    });
    // The list unreadable while the probes pass: still offline, saying what it knows.
    const unreadable = shell([
      worker('a', 'running', { remote: { ...stale, staleReason: 'poll-failed' } }),
    ]);
    expect(trayModel(unreadable, now)).toMatchObject({ icon: 'offline' });
    expect(statusLine(unreadable)).toBe(
      "PipedAI's worker list unreadable — workers keep running; remote status is out of date",
    );
    // Heartbeats late: this worker's problem, not the host's link.
    const late = shell([
      worker('a', 'running'),
      worker('b', 'running', { remote: { ...stale, staleReason: 'heartbeat-late' } }),
    ]);
    expect(trayModel(late, now).icon).toBe('degraded');
    expect(statusLine(late)).toBe('Heartbeats not reaching PipedAI: b');
  });

  it('says what it waits for before the workers are known', () => {
    expect(statusLine(shell(null, { link: 'connecting' }))).toBe('Connecting to the daemon…');
    const starting = shell(null);
    expect(statusLine(starting)).toBe('Starting…');
    expect(outline(trayModel(starting).items).slice(0, 3)).toEqual([
      '[x] Starting…',
      '---',
      '[x] No workers yet',
    ]);
  });

  it('tells no network apart, and a host whose workers are all stopped', () => {
    expect(statusLine(shell([worker('a', 'running')], { verdict: 'offline' }))).toBe(
      'Offline: no network — workers keep running; remote status is out of date',
    );
    expect(statusLine(shell([worker('a', 'stopped', { desiredState: 'disabled' })]))).toBe(
      'No worker enabled',
    );
  });

  it('shows each worker state in a few words', () => {
    expect(workerStateText(worker('a', 'running', { remote: remote({ disabled: true }) }))).toBe(
      'running, disabled on the server',
    );
    expect(workerStateText(worker('a', 'running', { busy: true }))).toBe('running, busy');
    expect(workerStateText(worker('a', 'backing-off', { restarts: 2 }))).toBe('backing-off ×2');
    expect(workerStateText(worker('a', 'backing-off', { restarts: 5 }))).toBe('crash loop (×5)');
    expect(workerStateText(worker('a', null))).toBe('not supervised');
    expect(workerStateText(worker('a', null, { desiredState: 'disabled' }))).toBe('stopped');
    const draining = worker('a', 'running', { busy: true, currentRunId: 'run_0123456789abcdef' });
    draining.local = { ...draining.local!, draining: true, drainingSince: 1_000 };
    expect(workerStateText(draining, 1_000 + 185_000)).toBe('draining: run run_01234567…, 3m 5s');
    draining.currentRunId = null;
    expect(workerStateText(draining, 1_000 + 5_000)).toBe('draining: 5s');
  });

  it('offers Force stop while a worker drains, also while Quit waits for it', () => {
    const draining = worker('a', 'running');
    draining.local = { ...draining.local!, draining: true, drainingSince: 0 };
    const sub = (s: ReturnType<typeof shell>) => {
      const item = trayModel(s, 0).items.find((i) => i.type === 'submenu');
      return item?.type === 'submenu' ? item.items : [];
    };
    expect(outline(sub(shell([draining])))).toContain('Force stop (the run is lost)');
    expect(outline(sub(shell([draining], { quitting: { total: 1 } })))).toContain(
      'Force stop (the run is lost)',
    );
    expect(outline(sub(shell([worker('a', 'running')])))).not.toContain(
      'Force stop (the run is lost)',
    );
    // With the daemon unreachable, nothing can force it.
    expect(outline(sub(shell([draining], { link: 'reconnecting' })))).toContain(
      '[x] Force stop (the run is lost)',
    );
    // The contract's verb table turns it into stopWorker { force: true } (commands.test.ts).
    const force = sub(shell([draining])).find(
      (i) => i.type === 'action' && i.label === 'Force stop (the run is lost)',
    );
    expect(force).toMatchObject({
      action: { kind: 'worker', verb: 'force-stop', id: 'a' },
      enabled: true,
    });
  });

  it('enables the verbs that make sense for the state', () => {
    const verbs = (w: ReturnType<typeof worker>) => {
      const sub = trayModel(shell([w])).items.find((i) => i.type === 'submenu');
      return outline(sub?.type === 'submenu' ? sub.items : []).slice(0, 3);
    };
    expect(verbs(worker('a', 'backing-off', { restarts: 1 }))).toEqual([
      'Start',
      'Stop',
      'Restart',
    ]);
    expect(verbs(worker('a', 'starting'))).toEqual(['[x] Start', 'Stop', '[x] Restart']);
    expect(verbs(worker('a', 'crashed'))).toEqual(['Start', '[x] Stop', '[x] Restart']);
  });

  it('disables the daemon actions while the attached daemon is unreachable', () => {
    const s = shell([worker('a', 'running')], { mode: 'attached', link: 'reconnecting' });
    const m = trayModel(s);
    expect(outline(m.items)).toEqual([
      '[x] Daemon unreachable — reconnecting…',
      '[x] Driving the headless daemon',
      '---',
      'a — running ▸',
      '  [x] Start',
      '  [x] Stop',
      '  [x] Restart',
      '  ---',
      '  Logs…',
      '---',
      'Open dashboard',
      '[x] Connect this host…',
      '---',
      '[x] ( ) Launch at login',
      // The app's own updates do not go through the daemon.
      'Check for updates',
      '---',
      'Quit (the daemon keeps running)',
    ]);
    expect(m.icon).toBe('offline');
  });

  it('shows the drain while quitting and offers no second Quit', () => {
    const s = shell([worker('a', 'running'), worker('b', 'stopped'), worker('c', 'running')], {
      quitting: { total: 3 },
      launchAtLogin: { on: false, note: null },
    });
    const m = trayModel(s);
    expect(statusLine(s)).toBe('Quitting — stopping workers (2 of 3 still running)');
    expect(outline(m.items).slice(-4)).toEqual([
      '[x] ( ) Launch at login',
      '[x] Check for updates',
      '---',
      '[x] Quitting…',
    ]);
  });

  it('offers Restart to update once an update is downloaded, and shows the download before', () => {
    const ready = shell([], { update: { state: 'ready', version: '0.9.1' } });
    expect(find(trayModel(ready).items, 'Restart to update (v0.9.1)')).toMatchObject({
      type: 'action',
      action: { kind: 'restart-to-update' },
      enabled: true,
    });
    const downloading = shell([], {
      update: { state: 'downloading', version: '0.9.1', percent: 30 },
    });
    expect(find(trayModel(downloading).items, 'Downloading v0.9.1… 30%')).toEqual({
      type: 'label',
      label: 'Downloading v0.9.1… 30%',
    });
    const deb = shell([], { update: { state: 'unsupported', message: 'deb' } });
    expect(find(trayModel(deb).items, 'Check for updates')).toBeUndefined();
  });

  it('each app item does what it says', () => {
    const m = trayModel(shell([], { launchAtLogin: { on: false, note: null } }));
    const actions = m.items.flatMap((i) =>
      i.type === 'action' || i.type === 'checkbox' ? [[i.label, i.action]] : [],
    );
    expect(actions).toEqual([
      ['Open dashboard', { kind: 'open-dashboard' }],
      ['Connect this host…', { kind: 'connect' }],
      ['Launch at login', { kind: 'toggle-login' }],
      ['Check for updates', { kind: 'check-updates' }],
      ['Quit', { kind: 'quit' }],
    ]);
  });

  it('while Quit drains, offers no worker action, no pairing and no install', () => {
    const s = shell([worker('a', 'stopped')], { quitting: { total: 1 }, cliTool: 'absent' });
    expect(outline(trayModel(s).items)).toEqual([
      '[x] Quitting…',
      '---',
      'a — stopped ▸',
      '  [x] Start',
      '  [x] Stop',
      '  [x] Restart',
      '  ---',
      '  Logs…',
      '---',
      'Open dashboard',
      '[x] Connect this host…',
      '---',
      '[x] ( ) Launch at login',
      '[x] Check for updates',
      '[x] Install command line tool',
      '---',
      '[x] Quitting…',
    ]);
  });

  it('lists a worker the daemon does not run yet, with only Start offered', () => {
    const s = shell([worker('a', 'running'), worker('b', null)]);
    expect(statusLine(s)).toBe('1 of 2 workers running');
    const sub = trayModel(s).items.filter((i) => i.type === 'submenu');
    expect(outline(sub.slice(1))).toEqual([
      'b — not supervised ▸',
      '  Start',
      '  [x] Stop',
      '  [x] Restart',
      '  ---',
      '  Logs…',
    ]);
    // Stopped and without a process: counted out of "running", not as a missing one.
    expect(
      statusLine(shell([worker('a', 'running'), worker('b', null, { desiredState: 'disabled' })])),
    ).toBe('1 worker running');
  });

  it('counts only the workers meant to run, and names every one in trouble', () => {
    const offServer = worker('d', 'stopped', { remote: remote({ disabled: true }) });
    expect(
      statusLine(
        shell([
          worker('a', 'running'),
          worker('b', 'starting'),
          worker('c', 'stopped', { desiredState: 'disabled' }),
          offServer,
        ]),
      ),
    ).toBe('1 of 2 workers running');
    expect(
      statusLine(
        shell([
          worker('a', 'crashed', { restarts: 5 }),
          worker('b', 'running'),
          worker('c', 'backing-off', { restarts: 9 }),
        ]),
      ),
    ).toBe('Crash loop: a, c');
    const late = remote({ stale: true, staleReason: 'heartbeat-late' });
    expect(
      statusLine(
        shell([
          worker('a', 'running', { remote: late }),
          worker('b', 'running'),
          worker('c', 'running', { remote: late }),
        ]),
      ),
    ).toBe('Heartbeats not reaching PipedAI: a, c');
  });

  it('names every install phase in the tooltip', () => {
    expect(
      InstallPhase.options.map((p) => installTooltip(runtimeInstall(p, { version: null }))),
    ).toEqual([
      'waiting to install @pipedai/worker@latest',
      'resolving @pipedai/worker@latest',
      'downloading @pipedai/worker@latest',
      'installing @pipedai/worker@latest',
      'verifying @pipedai/worker@latest',
      'installed @pipedai/worker@latest',
      'install failed @pipedai/worker@latest',
    ]);
    expect(installTooltip(runtimeInstall('verifying'))).toBe('verifying @pipedai/worker@1.4.2');
  });

  it('opens the window on a tray click on Windows only', () => {
    expect(trayClickOpensWindow('win32')).toBe(true);
    expect(trayClickOpensWindow('darwin')).toBe(false);
    expect(trayClickOpensWindow('linux')).toBe(false);
  });

  it('adds what the workers use to the tooltip: CPU and memory together, none without figures', () => {
    const use = (cpuPercent: number, mib: number) => ({
      resources: { cpuPercent, rssBytes: mib * 1024 * 1024, processes: 2, at: 1 },
    });
    const workers = [
      worker('a', 'running', use(12.5, 100)),
      worker('b', 'running', use(30, 50.5)),
      worker('c', 'stopped'),
    ];
    expect(resourceTotals(workers)).toBe('CPU 42.5% · 151 MiB');
    expect(trayModel(shell(workers)).tooltip).toBe(
      'PipedAI Orchestrator — 2 of 3 workers running · CPU 42.5% · 151 MiB',
    );
    // Running, but this OS gives no figures: the tooltip says nothing rather than n/a.
    expect(resourceTotals([worker('a', 'running')])).toBeNull();
    expect(trayModel(shell([worker('a', 'running')])).tooltip).toBe(
      'PipedAI Orchestrator — 1 worker running',
    );
  });
});
