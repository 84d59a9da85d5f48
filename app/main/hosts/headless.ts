// The headless host (`pipedai-orchestrator start`): the daemon plus the control server, in the
// foreground, until SIGTERM/SIGINT drains the workers. Order matters (§12): take ownership, then
// listen, and only then spawn workers, so a second `start` or a port clash never orphans children.
//
// Two ways to end:
// - drain (SIGTERM/SIGINT, `systemctl stop`, stop()): every worker finishes its run, however long,
//   while the control server still answers (the table shows who is draining; Force stop acts);
// - hand-off (after a self-upgrade, or a signal the service manager sends to restart us): the
//   workers keep running, their output files keep filling, and the next daemon adopts them and
//   reads on where this one stopped. The process then gives way (exit for the service manager,
//   or re-exec in place: replaceProcess).
import {
  CommandError,
  errorDetail,
  errorMessage,
  type DaemonLog,
  type HostKind,
} from '../../shared/index.ts';
import { assertLoopbackBind, startControlServer, type ControlServer } from '../control/index.ts';
import { openDaemon, type Daemon, type DaemonOptions } from '../daemon/index.ts';

export interface HeadlessOptions extends Omit<DaemonOptions, 'host'> {
  host?: string;
  port: number;
  staticDir: string | null;
  kind?: HostKind;
  /** Signals that end the daemon (injected in tests). */
  signals?: NodeJS.Signals[];
  /** A signal arrived: drain (a stop), or hand the workers over (a restart)? Default: drain. */
  signalIntent?: (signal: NodeJS.Signals) => Promise<EndHow>;
  /**
   * After a self-upgrade handed the workers over: how this process gives way to the new version
   * (default: exit 0, and the service manager starts it). Not used when exitForRestart is given.
   */
  replaceProcess?: (listening: { host: string; port: number }) => void;
  onReady?: (info: { port: number; url: string }) => void;
}

export type EndHow = 'drain' | 'handoff';

export interface RunningDaemon {
  daemon: Daemon;
  server: ControlServer;
  /** Resolves when the daemon has ended (after a signal, stop() or handOff()). */
  done: Promise<void>;
  /** Drain: every worker finishes its run and stops. */
  stop(): Promise<void>;
  /** Leave the workers running for the next daemon. */
  handOff(): Promise<void>;
}

export async function startHeadless(opts: HeadlessOptions): Promise<RunningDaemon> {
  const host = opts.host ?? '127.0.0.1';
  // Refused before anything is owned or spawned.
  assertLoopbackBind(host);
  const log: DaemonLog = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Signals that arrive while starting are remembered and honoured once the start completes.
  let signalled: NodeJS.Signals | null = null;
  let stopNow: (() => void) | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled) return; // repeated signals are ignored; the drain is already under way
    signalled = sig;
    stopNow?.();
  };
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  for (const s of signals) process.on(s, onSignal);
  const removeSignals = (): void => {
    for (const s of signals) process.off(s, onSignal);
  };

  // Set once the server listens; a self-upgrade cannot finish before that.
  let handOffNow: (() => Promise<void>) | null = null;
  let listening = { host, port: opts.port };
  const replaceProcess = opts.replaceProcess ?? (() => process.exit(0));
  const afterSelfUpgrade =
    opts.exitForRestart ??
    (() =>
      void (handOffNow?.() ?? Promise.resolve()).then(
        () => replaceProcess(listening),
        (e: unknown) => log(`hand-off failed: ${errorMessage(e)}`, { level: 'error' }),
      ));
  let daemon: Daemon;
  try {
    daemon = await openDaemon({
      ...opts,
      host: opts.kind ?? 'headless',
      log,
      exitForRestart: afterSelfUpgrade,
    });
  } catch (e) {
    removeSignals();
    throw e;
  }
  let server: ControlServer;
  try {
    server = await startControlServer({
      host,
      port: opts.port,
      token: () => daemon.localToken,
      handlers: daemon.orchestrator,
      subscribe: (l) => daemon.orchestrator.subscribe(l),
      snapshot: () => daemon.orchestrator.snapshot(),
      staticDir: opts.staticDir,
      metrics: daemon.metrics,
      onFrameDropped: (frame) => {
        if (frame.kind === 'logs') daemon.metrics.logLinesDropped(frame.id, frame.lines.length);
      },
      onInternalError: (e, what) =>
        log(`internal error in ${what}: ${errorDetail(e)}`, {
          level: 'error',
          event: 'internal_error',
        }),
    });
  } catch (e) {
    await daemon.close({ drain: false });
    removeSignals();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new CommandError(
        'conflict',
        `port ${opts.port} is in use; pick another with --port (0 picks any free port)`,
        'port',
      );
    throw e;
  }
  try {
    // Spawn first, once the port is ours (a start that fails on a taken port spawns nothing):
    // the workers start while the owner record is written and before the monitors, the first
    // status refresh and the API's event streams, which start() runs after waiting for this same
    // reconcile. Their recovery ran in openDaemon, so none runs twice.
    const spawning = daemon.orchestrator.startWorkers();
    spawning.catch(() => undefined); // awaited (and reported) through start() below
    await daemon.ownership.setPort(server.port);
    await daemon.orchestrator.start();
  } catch (e) {
    // Leave the workers as they are for the next start; what must not stay is a half-started
    // daemon holding the port and the owner lock and swallowing SIGTERM.
    await server.close();
    await daemon.close({ drain: false });
    removeSignals();
    throw e;
  }
  listening = { host, port: server.port };
  opts.onReady?.({ port: server.port, url: server.url });

  let ending: Promise<void> | null = null;
  const finish = (how: EndHow): Promise<void> => {
    ending ??= (async () => {
      const live = daemon.supervisor.statuses().filter((s) => s.pid !== null).length;
      if (how === 'drain') {
        log(
          `draining ${live} worker(s): each finishes its run first (\`workers stop --force <id>\` cuts one short)…`,
        );
        // The control server answers until the last worker is gone.
        await daemon.close({ drain: true });
        await server.close();
      } else {
        log(`handing ${live} running worker(s) over to the next daemon`);
        await server.close();
        await daemon.close({ drain: false });
      }
      removeSignals();
    })();
    return ending;
  };
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const end = (how: EndHow): Promise<void> => {
    const p = finish(how);
    void p.then(resolveDone, resolveDone);
    return p;
  };
  handOffNow = () => end('handoff');
  stopNow = () => {
    const sig = signalled as NodeJS.Signals;
    void (opts.signalIntent?.(sig) ?? Promise.resolve<EndHow>('drain'))
      .catch((): EndHow => 'drain')
      .then((how) => end(how));
  };
  if (signalled !== null) stopNow();
  return {
    daemon,
    server,
    done,
    stop: async () => {
      void end('drain');
      await done;
    },
    handOff: async () => {
      void end('handoff');
      await done;
    },
  };
}
