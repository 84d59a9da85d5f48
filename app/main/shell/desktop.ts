// The desktop host: Electron's lifecycle around the daemon link. One instance per user; the tray
// keeps the app alive without a window; Quit drains the workers (or hands them to the service)
// with its progress in the tray and the window; a shutdown, a logout or a signal quits without
// asking, and a watchdog ends the app at the deadline; waking from sleep reconnects at once.
// Decisions live in ./logic; this wires them up.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, dialog, shell } from 'electron';
import {
  errorMessage,
  runWorkerVerb,
  type CommandHandlers,
  type CommandTarget,
} from '../../shared/index.ts';
import { IPC } from '../../shared/ipc.ts';
import {
  hostServiceOptions,
  nodeServiceFs,
  probeService,
  serviceManagerFor,
} from '../service/index.ts';
import { setAppMenu } from './app-menu.ts';
import { installCliLink, readCliLink } from './cli-tool.ts';
import { registerIpcDoor } from './ipc.ts';
import { createFrameBatcher } from './logic/ipc.ts';
import {
  bundledNpmCli,
  electronNodeRuntime,
  openDaemonLink,
  type CloseHow,
  type DaemonLink,
} from '../hosts/index.ts';
import { resolveLoginEnv } from './login-env.ts';
import { electronNpmCli } from './logic/worker-node.ts';
import { createLoginItemController } from './login-item.ts';
import { startsHidden } from './logic/login-item.ts';
import {
  APP_USER_MODEL_ID,
  crashLoopNotices,
  pairingNotice,
  rollbackNotice,
  installFailedNotice,
  type NoticeSpec,
} from './logic/notifications.ts';
import { pairingApiUrl, pairingChoice, pairingDialog } from './logic/pairing.ts';
import {
  QUIT_QUESTION,
  QUIT_SIGNALS,
  drainProgress,
  holdSessionEnd,
  quitChoice,
  quitDeadlineMs,
  quitPlan,
  serviceManagesHome,
  serviceQueryMs,
  type QuitReason,
} from './logic/quit.ts';
import { parseShellEnv, type ShellEnv } from './logic/shell-env.ts';
import {
  applyFrame,
  initialShellState,
  liveWorkerCount,
  type ShellState,
} from './logic/shell-state.ts';
import { PRODUCT_NAME, trayClickOpensWindow, trayModel, type TrayAction } from './logic/tray.ts';
import { noTrayNotice } from './logic/tray-host.ts';
import { APP_ORIGIN, dockVisible, pairingPageUrl } from './logic/window.ts';
import { showNotice } from './notifications.ts';
import { watchPower } from './power.ts';
import { openUiPrefs } from './prefs.ts';
import { createTrayController, type TrayController } from './tray.ts';
import { waitForTrayHost } from './tray-host.ts';
import { createDesktopUpdater, readBuildFacts, type DesktopUpdater } from './updater.ts';
import {
  createWindowController,
  hardenSessions,
  registerAppScheme,
  serveDashboard,
} from './window.ts';

const APP_ORIGINS = [APP_ORIGIN];
/** How often the tray's draining lines ("draining: run …, 3m 5s") are brought up to date. */
const DRAIN_TICK_MS = 5_000;

const log = (line: string): void => void process.stderr.write(`[pipedai] ${line}\n`);

/** Files shipped with the app, relative to its folder (the repository, or app.asar). */
function resources(appPath: string) {
  return {
    preload: join(appPath, 'out', 'preload', 'index.cjs'),
    renderer: join(appPath, 'out', 'renderer'),
    trayIcons: join(appPath, 'build', 'tray'),
    appIcon: join(appPath, 'build', 'icon.png'),
    templates: join(appPath, 'templates'),
    cli: join(appPath, 'dist', 'cli.js'),
  };
}

/**
 * The window's commands, with the app's own updates answered by the app: when it is attached to
 * the headless daemon, that daemon knows nothing of the desktop app's updates.
 */
function withDesktopUpdates(link: DaemonLink, updater: DesktopUpdater): CommandTarget {
  const handlers: CommandHandlers = {
    ...link.handlers,
    // Owning the host, the daemon in this process serves them already (desktopUpdate port).
    async getSelf(input) {
      const self = await link.handlers.getSelf(input);
      return link.mode === 'own' ? self : { ...self, desktopUpdate: updater.view() };
    },
    async restartToUpdate(input) {
      if (link.mode === 'own') return link.handlers.restartToUpdate(input);
      await updater.restart();
      return { ok: true, action: 'restart-to-update' };
    },
  };
  return { handlers, snapshot: () => link.snapshot(), state: () => link.state() };
}

function fatal(title: string, e: unknown): void {
  log(`${title}: ${errorMessage(e)}`);
  dialog.showErrorBox(title, errorMessage(e));
  app.exit(1);
}

/** Is a native service installed that would adopt this home's workers? Bounded; "no" on doubt. */
async function serviceTakesOver(cliPath: string, home: string, withinMs: number): Promise<boolean> {
  const query = (async () => {
    const manager = serviceManagerFor(hostServiceOptions(cliPath));
    if (!(await manager.status()).installed) return false;
    return serviceManagesHome(await nodeServiceFs.readFile(manager.describe().unitPath), home);
  })().catch(() => false);
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), withinMs));
  return Promise.race([query, timeout]);
}

interface Running {
  show(view?: { logs: string }): void;
  quit(reason: QuitReason): Promise<void>;
  readonly finished: boolean;
}

async function start(env: ShellEnv, platform: NodeJS.Platform): Promise<Running> {
  const files = resources(app.getAppPath());
  hardenSessions(APP_ORIGINS, log);
  serveDashboard(files.renderer);
  // Windows and Linux get no menu bar; macOS gets its app menu (Edit, ⌘Q; no Reload when packaged).
  setAppMenu(platform);
  const setDock = (shown: boolean): void => {
    const visible = dockVisible(platform, shown);
    if (visible === true) void app.dock?.show();
    else if (visible === false) app.dock?.hide();
  };
  setDock(false);

  // Workers run on this app's own binary as Node, with the user's login-shell environment
  // (resolved once, at most 5 s; on failure the inherited one, and the dashboard says why).
  const node = electronNodeRuntime(platform, process.execPath, existsSync);
  const loginEnv = await resolveLoginEnv({
    platform,
    env: process.env,
    execPath: node.execPath,
    nodeEnv: { ...node.env },
  });
  log(
    loginEnv.environment.source === 'login-shell'
      ? 'workers get the login shell environment'
      : `workers get the app's environment: ${loginEnv.environment.note ?? ''}`,
  );
  let linkForRestart: DaemonLink | null = null;
  // The app's own updates: "Restart to update" hands the workers over (they keep running and the
  // new version adopts them) before electron-updater quits and installs.
  let closeForRestart: (() => Promise<void>) | null = null;
  const updater: DesktopUpdater = createDesktopUpdater({
    version: app.getVersion(),
    facts: await readBuildFacts(env.updateUrl ?? null),
    feedUrl: env.updateUrl ?? null,
    beforeRestart: () => closeForRestart?.() ?? Promise.resolve(),
    notify: (n) => notify({ ...n, opens: { kind: 'dashboard' } }),
    log,
  });
  const link: DaemonLink = await openDaemonLink({
    env: loginEnv.env,
    node,
    npmCli: electronNpmCli(
      { packaged: app.isPackaged, resourcesPath: process.resourcesPath },
      bundledNpmCli,
    ),
    environment: loginEnv.environment,
    ...(env.controlPort === undefined ? {} : { controlPort: env.controlPort }),
    staticDir: existsSync(join(files.renderer, 'index.html')) ? files.renderer : null,
    log,
    desktopUpdate: { view: () => updater.view(), restart: () => updater.restart() },
    serviceStatus: () => probeService(hostServiceOptions(files.cli)),
    // An attached app whose owner is gone waits for the service that will restart it, if any.
    serviceOwnsHost: (home) => serviceTakesOver(files.cli, home, serviceQueryMs('user')),
    // Unused while the app updates itself (the daemon refuses upgradeSelf beside desktopUpdate);
    // kept so a hand-off always relaunches the app rather than leaving it closed.
    exitForRestart: () =>
      void (linkForRestart?.close('handoff') ?? Promise.resolve()).finally(() => {
        app.relaunch();
        app.exit(0);
      }),
  });
  linkForRestart = link;
  log(`${link.mode === 'own' ? 'owning the host; control API' : 'attached to'} ${link.url()}`);

  const login = createLoginItemController({
    platform,
    launch: {
      execPath: process.execPath,
      unpackagedAppPath: app.isPackaged ? null : app.getAppPath(),
      appImagePath: process.env.APPIMAGE,
    },
    env: process.env,
    homedir: homedir(),
    templatesDir: files.templates,
  });
  let state: ShellState = { ...initialShellState(link.mode), update: updater.view() };
  let finished = false;
  let quitting = false;

  const windows = createWindowController({
    preload: files.preload,
    prefs: openUiPrefs(),
    icon: files.appIcon,
    onShownChange: setDock,
  });
  const notify = (spec: NoticeSpec | null): void => {
    if (spec)
      showNotice(
        spec,
        (opens) => windows.show(opens.kind === 'logs' ? { logs: opens.id } : undefined),
        files.appIcon,
      );
  };
  // The tray comes once the panel can show it (Linux at login: the panel may start after us).
  let tray: TrayController | null = null;
  void waitForTrayHost(platform).then((host) => {
    if (finished) return;
    tray = createTrayController({
      iconsDir: files.trayIcons,
      platform,
      onAction: (a) => void act(a),
      onClick: () => {
        if (trayClickOpensWindow(platform)) windows.show();
      },
    });
    render();
    if (host === 'none') {
      // No tray on this desktop (stock GNOME): never run invisibly. Show the window, say why.
      log('no StatusNotifier host on the session bus: showing the window');
      windows.show();
      void dialog.showMessageBox({
        type: 'info',
        ...noTrayNotice(process.env.XDG_CURRENT_DESKTOP),
      });
    }
  });
  const render = (): void => {
    tray?.render(trayModel(state));
    if (state.quitting)
      windows.setProgress(drainProgress(liveWorkerCount(state.workers), state.quitting.total));
  };
  // A draining worker's menu line says for how long: keep it current.
  setInterval(() => {
    if (state.workers?.some((w) => w.local?.draining)) render();
  }, DRAIN_TICK_MS).unref();
  const update = (next: ShellState): void => {
    // Most frames (log lines, run events) change nothing the tray shows: no work for them.
    if (next === state) return;
    const before = state;
    state = next;
    if (before.workers !== null) crashLoopNotices(before.workers, next.workers).forEach(notify);
    render();
  };

  const toWindow = createFrameBatcher({ send: (frames) => windows.send(IPC.frame, frames) });
  const stopFrames = link.subscribe((frame) => {
    toWindow.push(frame);
    if (frame.kind === 'pairing') notify(pairingNotice(frame.status));
    if (frame.kind === 'rollback') notify(rollbackNotice(frame.rollback));
    if (frame.kind === 'runtime') notify(installFailedNotice(frame.install));
    update(applyFrame(state, frame));
  });
  const stopState = link.onState((s) => {
    toWindow.flush(); // frames from before the change arrive before it
    windows.send(IPC.connectionChanged, s);
    // The mode changes when the app takes over a host its owner left.
    update({ ...state, link: s, mode: link.mode });
  });
  try {
    for (const frame of await link.snapshot()) state = applyFrame(state, frame);
  } catch (e) {
    log(`first snapshot: ${errorMessage(e)}`); // an attached link fills in when it connects
  }
  const stopUpdates = updater.onChange((u) => update({ ...state, update: u }));
  const stopIpc = registerIpcDoor({
    target: withDesktopUpdates(link, updater),
    expected: () => ({ webContentsId: windows.webContentsId(), appOrigins: APP_ORIGINS }),
    log,
  });

  state = { ...state, launchAtLogin: await login.get().catch(() => null) };
  // macOS: the tray offers to link the CLI launcher into /usr/local/bin (a packaged app only).
  const cliTool = platform === 'darwin' && app.isPackaged;
  if (cliTool) state = { ...state, cliTool: await readCliLink(process.resourcesPath) };
  render();
  const stopPower = watchPower({
    platform,
    onSessionEnding: () => void quit('os-ending'),
    holdSessionEnd: () =>
      holdSessionEnd({ mode: link.mode, liveWorkers: liveWorkerCount(state.workers) }),
    onResume: () => {
      log('woke from sleep: reconnecting and refreshing now');
      link.wake();
    },
  });

  async function act(a: TrayAction): Promise<void> {
    switch (a.kind) {
      case 'worker':
        return runWorkerVerb(link.call, a.verb, a.id)
          .then(() => undefined)
          .catch((e: unknown) =>
            notify({
              title: `${a.verb} ${a.label} failed`,
              body: errorMessage(e),
              opens: { kind: 'dashboard' },
            }),
          );
      case 'logs':
        return windows.show({ logs: a.id });
      case 'open-dashboard':
        return windows.show();
      case 'connect':
        return connectHost();
      case 'toggle-login': {
        // The checkbox shows what the system holds afterwards, whether the change worked or not.
        const now = await login.set(!(state.launchAtLogin?.on ?? false)).catch((e: unknown) => {
          notify({ title: 'Launch at login', body: errorMessage(e), opens: { kind: 'dashboard' } });
          return login.get().catch(() => null);
        });
        return update({ ...state, launchAtLogin: now });
      }
      case 'check-updates':
        return updater.check(true);
      case 'restart-to-update':
        return updater.restart().catch((e: unknown) =>
          notify({
            title: 'Restart to update',
            body: errorMessage(e),
            opens: { kind: 'dashboard' },
          }),
        );
      case 'install-cli':
        if (!cliTool) return;
        return installCliLink(process.resourcesPath)
          .then((linked) => {
            update({ ...state, cliTool: linked });
            notify({
              title: 'Command line tool',
              body: 'pipedai-orchestrator is on your PATH: open a new terminal to use it.',
              opens: { kind: 'dashboard' },
            });
          })
          .catch((e: unknown) =>
            notify({
              title: 'Install command line tool',
              body: errorMessage(e),
              opens: { kind: 'dashboard' },
            }),
          );
      case 'quit':
        return void quit('user');
    }
  }

  async function connectHost(): Promise<void> {
    let p;
    try {
      p = await link.call('startPairing', { apiUrl: pairingApiUrl(env.apiUrl, state.workers) });
    } catch (e) {
      return notify({
        title: 'Could not start pairing',
        body: errorMessage(e),
        opens: { kind: 'dashboard' },
      });
    }
    const page = pairingPageUrl(p.verificationUriComplete);
    const open = async (): Promise<boolean> => {
      if (page === null) return false;
      try {
        // pairingPageUrl lets through https, or http on this machine (the sandbox API), only.
        await shell.openExternal(page); //! eng-disable OPEN_EXTERNAL_JS_CHECK
        return true;
      } catch {
        return false;
      }
    };
    const opened = await open();
    for (;;) {
      const { response } = await dialog.showMessageBox(pairingDialog(p, opened));
      const choice = pairingChoice(response);
      if (choice === 'reopen') {
        await open();
        continue;
      }
      if (choice === 'cancel')
        await link.call('cancelPairing', { pairingId: p.pairingId }).catch(() => undefined);
      return;
    }
  }

  /** Ends the app if the quit is still going after `ms`: a hung close never leaves "Quitting…". */
  function watchdog(ms: number | null): void {
    if (ms === null) return;
    setTimeout(() => {
      log(`quit still not done after ${ms} ms: exiting`);
      app.exit(0);
    }, ms);
  }

  async function quit(reason: QuitReason): Promise<void> {
    // The session ends while a quit is under way (maybe on the question): bound it all the same.
    if (reason === 'os-ending') watchdog(quitDeadlineMs('os-ending', 'drain'));
    if (quitting) return;
    quitting = true;
    const live = liveWorkerCount(state.workers);
    const plan = quitPlan({
      mode: link.mode,
      liveWorkers: live,
      reason,
      serviceInstalled:
        link.mode === 'own' &&
        live > 0 &&
        (await serviceTakesOver(files.cli, link.home, serviceQueryMs(reason))),
    });
    let how: CloseHow;
    if (plan.kind === 'ask') {
      const { response } = await dialog.showMessageBox({
        type: 'question',
        ...QUIT_QUESTION,
        buttons: [...QUIT_QUESTION.buttons],
      });
      const choice = quitChoice(response);
      if (choice === 'cancel') {
        quitting = false;
        return;
      }
      how = choice;
    } else how = plan.how;
    if (reason !== 'os-ending') watchdog(quitDeadlineMs(reason, how));
    log(`quitting (${reason}): ${how} (${live} worker process(es))`);
    update({ ...state, quitting: { total: how === 'drain' ? live : 0 } });
    await close(how);
    app.quit();
  }

  /** Let go of everything; after this, a quit goes through. */
  async function close(how: CloseHow): Promise<void> {
    try {
      await link.close(how);
    } catch (e) {
      log(`closing the daemon link: ${errorMessage(e)}`);
    }
    toWindow.flush();
    stopIpc();
    stopFrames();
    stopState();
    stopUpdates();
    stopPower();
    updater.dispose();
    tray?.destroy();
    finished = true;
  }
  // The workers keep running through an update: handed over (own) or never ours (attached).
  closeForRestart = async () => {
    quitting = true;
    await close(link.mode === 'own' ? 'handoff' : 'detach');
  };

  return {
    show: (view) => windows.show(view),
    quit,
    get finished() {
      return finished;
    },
  };
}

export function runDesktop(): void {
  const platform = process.platform;
  let env: ShellEnv;
  try {
    env = parseShellEnv(process.env);
  } catch (e) {
    app.whenReady().then(
      () => fatal(`${PRODUCT_NAME} cannot start`, e),
      () => app.exit(1),
    );
    return;
  }
  if (env.userDataDir) app.setPath('userData', env.userDataDir);
  // Windows: the same identity as the installer's shortcut, so toasts show and pins match.
  if (platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  registerAppScheme();
  // One instance per user: a second launch hands over to the first, which shows its window.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  let running: Running | null = null;
  let showWhenReady = false;
  let quitWhenReady = false;
  app.on('second-instance', () => {
    if (running) running.show();
    else showWhenReady = true;
  });
  // The tray keeps the app (and the workers) alive with no window open.
  app.on('window-all-closed', () => undefined);
  app.on('activate', () => running?.show());
  let quitReason: QuitReason = 'user';
  app.on('before-quit', (event) => {
    if (running?.finished) return;
    event.preventDefault();
    // A quit while starting waits for the start: the daemon may already supervise workers.
    if (running) void running.quit(quitReason);
    else quitWhenReady = true;
  });
  // A signal quits as Quit does, without a question. These are the only signal handlers in the
  // main process: when-exit's (electron-store) are compiled out (exit-only.ts).
  for (const signal of QUIT_SIGNALS)
    process.on(signal, () => {
      quitReason = 'signal';
      if (running) void running.quit('signal');
      else app.quit();
    });

  app
    .whenReady()
    .then(() => start(env, platform))
    .then((r) => {
      running = r;
      const hidden = startsHidden({
        argv: process.argv,
        platform,
        wasOpenedAtLogin: platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin,
      });
      if (quitWhenReady) void r.quit(quitReason);
      else if (!hidden || showWhenReady) r.show();
    })
    .catch((e: unknown) => fatal(`${PRODUCT_NAME} could not start`, e));
}
