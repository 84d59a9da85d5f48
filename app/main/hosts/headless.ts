// The headless host (`pipedai-orchestrator start`): the daemon plus the control server, in the
// foreground, until SIGTERM/SIGINT drains the workers. Order matters (§12): take ownership, then
// listen, and only then spawn workers, so a second `start` or a port clash never orphans children.
import { errorDetail, CommandError, type HostKind } from '../../shared/index.ts';
import { assertLoopbackBind, startControlServer, type ControlServer } from '../control/index.ts';
import { openDaemon, type Daemon, type DaemonOptions } from '../daemon/index.ts';

export interface HeadlessOptions extends Omit<DaemonOptions, 'host'> {
  host?: string;
  port: number;
  staticDir: string | null;
  kind?: HostKind;
  /** Signals that end the daemon (injected in tests). */
  signals?: NodeJS.Signals[];
  onReady?: (info: { port: number; url: string }) => void;
}

export interface RunningDaemon {
  daemon: Daemon;
  server: ControlServer;
  /** Resolves when the daemon has shut down (after a signal or stop()). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startHeadless(opts: HeadlessOptions): Promise<RunningDaemon> {
  const host = opts.host ?? '127.0.0.1';
  // Refused before anything is owned or spawned.
  assertLoopbackBind(host);
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
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

  let daemon: Daemon;
  try {
    daemon = await openDaemon({ ...opts, host: opts.kind ?? 'headless', log });
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
      onInternalError: (e, what) => log(`internal error in ${what}: ${errorDetail(e)}`),
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
  opts.onReady?.({ port: server.port, url: server.url });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log(
        `draining ${daemon.supervisor.statuses().filter((s) => s.pid !== null).length} worker(s)…`,
      );
      await server.close();
      await daemon.close({ drain: true });
      removeSignals();
    })();
    return stopping;
  };
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const end = (): void => void stop().then(resolveDone, resolveDone);
  stopNow = end;
  if (signalled !== null) end();
  return {
    daemon,
    server,
    done,
    stop: async () => {
      end();
      await done;
    },
  };
}
