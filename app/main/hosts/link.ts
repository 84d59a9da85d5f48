// The desktop app's link to the host's daemon. When no live process owns the host, the app owns
// it: the Orchestrator runs in this process and the control server answers the CLI and the
// browser. When another process owns it (the headless daemon, usually a service), the app
// attaches through the control client and never supervises. An attached app re-reads the owner
// record on every reconnect; when the owner is gone and no service will bring it back, the app
// takes the host over itself. Plain Node: no electron here.
import {
  CommandError,
  callThroughDoor,
  errorDetail,
  errorMessage,
  forwardingHandlers,
  type CallCommand,
  type CommandTarget,
  type EventFrame,
  type LinkState,
  type WorkerEnvironment,
} from '../../shared/index.ts';
import { DEFAULT_CONTROL_PORT, createControlClient, type ControlClient } from '../control/index.ts';
import { startHeadless, type RunningDaemon } from './headless.ts';
import {
  HostOwnedError,
  openStore,
  pathsFor,
  readLiveOwner,
  resolveHome,
  type NodeRuntime,
  type DaemonOptions,
  type DesktopUpdatePort,
  type Orchestrator,
  type Paths,
} from '../daemon/index.ts';
import {
  controlPortAttempts,
  decideHostMode,
  reconnectDelayMs,
  type CloseHow,
  type HostMode,
} from './host-mode.ts';

export interface DaemonLink extends CommandTarget {
  /** Changes from attached to own when the app takes over a host its owner left. */
  readonly mode: HostMode;
  /** The shell's own calls (tray, pairing, update checks): through the same door core as IPC. */
  readonly call: CallCommand;
  /** PIPEDAI_HOME of the host. */
  readonly home: string;
  /** The owner's control server, e.g. http://127.0.0.1:4599. */
  url(): string;
  subscribe(listener: (frame: EventFrame) => void): () => void;
  onState(listener: (state: LinkState) => void): () => void;
  /** Idempotent. An attached link only detaches, whatever `how` says. */
  close(how: CloseHow): Promise<void>;
  /**
   * The computer woke from sleep: what the link holds may be stale. An attached link drops its
   * event stream (its socket may have died unnoticed) and connects again at once; an owning one
   * probes connectivity and polls pipedai-api now rather than at the next tick.
   */
  wake(): void;
}

export interface LinkOptions {
  env: NodeJS.ProcessEnv;
  /** Explicit control port; without it `defaultControlPort`, then any free port. */
  controlPort?: number;
  /** 4599; a test passes a port it holds, since other processes may hold or free 4599. */
  defaultControlPort?: number;
  /** The dashboard bundle the control server serves to browsers. */
  staticDir: string | null;
  log: (line: string) => void;
  /** A self-upgrade ends the process this way. */
  exitForRestart: () => void;
  /** What runs workers and npm when the app owns the host (Electron as Node). */
  node?: NodeRuntime;
  /** npm's CLI script (beside app.asar when packaged). */
  npmCli?: string;
  /** Where `env` came from (the login shell's, or the app's own). */
  environment?: WorkerEnvironment;
  /** The app's own updates, served by the daemon when the app owns the host. */
  desktopUpdate?: DesktopUpdatePort;
  /** The native service, for the daemon's `doctor` report. */
  serviceStatus?: DaemonOptions['serviceStatus'];
  /**
   * Is a native service installed that will bring the owner back? Asked when an attached app
   * finds the owner gone: yes → wait for it; no → own the host. Default: no.
   */
  serviceOwnsHost?: (home: string) => Promise<boolean>;
  sleep?: (ms: number) => Promise<void>;
}

/** Retries when another process wins the owner lock between our read and our take. */
const OWN_RACE_RETRIES = 3;
const OWNER_POLL_MS = 200;

export async function openDaemonLink(o: LinkOptions): Promise<DaemonLink> {
  const paths = pathsFor(resolveHome(o.env));
  const serviceOwnsHost = o.serviceOwnsHost ?? (() => Promise.resolve(false));
  let current: DaemonLink;
  const frames = listeners<EventFrame>();
  const states = listeners<LinkState>();
  let unwire = (): void => undefined;
  const wire = (link: DaemonLink): void => {
    unwire();
    const stopFrames = link.subscribe(frames.emit);
    const stopState = link.onState(states.emit);
    unwire = () => {
      stopFrames();
      stopState();
    };
  };
  let closing: Promise<void> | null = null;

  /** The attached link found no live owner: own the host unless a service will come back. */
  const takeOver = async (): Promise<boolean> => {
    if (closing || (await serviceOwnsHost(paths.home).catch(() => true))) return false;
    let own: DaemonLink;
    try {
      own = await ownLink(o, paths);
    } catch (e) {
      // Someone else took it meanwhile (the next reconnect finds them), or the start failed.
      if (!(e instanceof HostOwnedError)) o.log(`taking over the host: ${errorMessage(e)}`);
      return false;
    }
    if (closing) {
      await own.close('handoff');
      return false;
    }
    o.log(`the owner is gone: this app owns the host now; control API ${own.url()}`);
    const attached = current;
    current = own;
    wire(own);
    await attached.close('detach');
    states.emit('open');
    // What the window shows comes from frames: draw the present once.
    for (const f of await own.snapshot().catch(() => [])) frames.emit(f);
    return true;
  };

  current = await establish(o, paths, takeOver);
  wire(current);
  return {
    get mode() {
      return current.mode;
    },
    home: paths.home,
    url: () => current.url(),
    // Whichever link is current (an attached app may take the host over).
    handlers: forwardingHandlers((name, input) =>
      (current.handlers[name] as (i: unknown) => Promise<never>)(input),
    ),
    call: (name, args) => current.call(name, args),
    snapshot: () => current.snapshot(),
    state: () => current.state(),
    onState: states.on,
    subscribe: frames.on,
    close(how) {
      closing ??= current.close(how).finally(() => unwire());
      return closing;
    },
    wake: () => current.wake(),
  };
}

/** Own a free host, or attach to its live owner (waiting for one that is still starting). */
async function establish(
  o: LinkOptions,
  paths: Paths,
  takeOver: () => Promise<boolean>,
): Promise<DaemonLink> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const began = Date.now();
  for (let races = 0; ;) {
    const owner = await readLiveOwner(paths);
    const d = decideHostMode({ owner, waitedMs: Date.now() - began });
    if (d.kind === 'fail') throw new CommandError('conflict', d.reason);
    if (d.kind === 'wait') {
      await sleep(OWNER_POLL_MS);
      continue;
    }
    if (d.kind === 'attach') {
      o.log(`attaching to the ${d.owner.host} daemon (pid ${d.owner.pid}) on port ${d.port}`);
      return attachLink(paths, d.port, takeOver);
    }
    try {
      return await ownLink(o, paths);
    } catch (e) {
      if (!(e instanceof HostOwnedError) || ++races > OWN_RACE_RETRIES) throw e;
    }
  }
}

async function ownLink(o: LinkOptions, paths: Paths): Promise<DaemonLink> {
  const ports = controlPortAttempts(o.controlPort, o.defaultControlPort ?? DEFAULT_CONTROL_PORT);
  let running: RunningDaemon | undefined;
  for (const [i, port] of ports.entries()) {
    try {
      running = await startHeadless({
        host: '127.0.0.1',
        port,
        staticDir: o.staticDir,
        kind: 'desktop',
        env: o.env,
        log: o.log,
        signals: [],
        exitForRestart: o.exitForRestart,
        ...(o.node ? { node: o.node } : {}),
        ...(o.npmCli ? { npmCli: o.npmCli } : {}),
        ...(o.environment ? { environment: o.environment } : {}),
        ...(o.desktopUpdate ? { desktopUpdate: o.desktopUpdate } : {}),
        ...(o.serviceStatus ? { serviceStatus: o.serviceStatus } : {}),
      });
      break;
    } catch (e) {
      const portTaken = e instanceof CommandError && e.code === 'conflict' && e.field === 'port';
      if (!portTaken || i === ports.length - 1) throw e;
      o.log(`port ${port} is in use; the control API takes a free port (the CLI finds it)`);
    }
  }
  if (!running) throw new Error('unreachable: no control port attempted');
  const r = running;
  const orchestrator = r.daemon.orchestrator;
  let closing: Promise<void> | null = null;
  return {
    mode: 'own',
    home: paths.home,
    url: () => r.server.url,
    ...orchestratorTarget(orchestrator, o.log),
    onState: () => () => undefined,
    subscribe: (listener) => orchestrator.subscribe(listener),
    wake: () =>
      void orchestrator.wake().catch((e: unknown) => o.log(`after sleep: ${errorMessage(e)}`)),
    close(how) {
      // Handoff: workers keep running; the service's daemon adopts them (child registry) and
      // reads their output on from where this one stopped.
      closing ??= how === 'drain' ? r.stop() : r.handOff();
      return closing;
    },
  };
}

/** The in-process Orchestrator as a command target: its handlers, behind the HTTP door's core. */
export function orchestratorTarget(
  orchestrator: Orchestrator,
  log: (line: string) => void,
): CommandTarget & { call: CallCommand } {
  return {
    handlers: orchestrator,
    call: callThroughDoor(orchestrator, (e, name) =>
      log(`internal error in ${name}: ${errorDetail(e)}`),
    ),
    snapshot: () => orchestrator.snapshot(),
    state: () => 'open',
  };
}

function attachLink(paths: Paths, firstPort: number, takeOver: () => Promise<boolean>): DaemonLink {
  const store = openStore(paths);
  let port = firstPort;
  let clientP: Promise<ControlClient> | null = null;
  const client = (): Promise<ControlClient> =>
    (clientP ??= store.credentials
      .localToken()
      .then((token) => createControlClient({ baseUrl: `http://127.0.0.1:${port}`, token })));
  // The owner's commands as if they were local (its own door parses them again).
  const handlers = forwardingHandlers(async (name, input) => (await client()).call(name, input));

  let state: LinkState = 'connecting';
  const states = listeners<LinkState>();
  const frames = listeners<EventFrame>();
  const setState = (s: LinkState): void => {
    if (s === state) return;
    state = s;
    states.emit(s);
  };
  let closed = false;
  let attempt = 0;
  /** Each event stream's number: the end of one that was replaced is not ours to answer. */
  let generation = 0;
  let stopEvents: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const retryLater = (): void => {
    if (closed) return;
    setState('reconnecting');
    timer = setTimeout(() => void reconnect(), reconnectDelayMs(attempt++));
  };
  const connect = async (): Promise<void> => {
    const mine = ++generation;
    let ended = false;
    const onEnd = (): void => {
      if (ended || closed || mine !== generation) return;
      ended = true;
      retryLater();
    };
    let c: ControlClient;
    try {
      c = await client();
    } catch {
      return onEnd();
    }
    if (closed || mine !== generation) return;
    // The owner sends a snapshot on connect: its first frame means the link is up.
    stopEvents = c.events((frame) => {
      if (mine !== generation) return;
      if (state !== 'open') {
        attempt = 0;
        setState('open');
      }
      frames.emit(frame);
    }, onEnd);
  };
  const reconnect = async (): Promise<void> => {
    if (closed) return;
    // The owner may be back on another port or with a rotated token (restart, self-upgrade), or
    // gone: then never the old port again (a stranger may listen there by now), but own the host
    // or wait for the service that will.
    const owner = await readLiveOwner(paths).catch(() => null);
    if (owner === null && (await takeOver())) return;
    if (closed) return;
    if (owner?.port == null) return retryLater();
    port = owner.port;
    clientP = null;
    await connect();
  };
  void connect();

  return {
    mode: 'attached',
    home: paths.home,
    url: () => `http://127.0.0.1:${port}`,
    handlers,
    call: callThroughDoor(handlers),
    async snapshot() {
      const c = await client();
      const [workers, connectivity] = await Promise.all([
        c.call('listWorkers', {}),
        c.call('getConnectivity', { tail: 1 }),
      ]);
      const frames: EventFrame[] = [{ kind: 'status', items: workers.items }];
      if (connectivity.current) frames.push({ kind: 'connectivity', sample: connectivity.current });
      return frames;
    },
    state: () => state,
    onState: states.on,
    subscribe: frames.on,
    wake() {
      if (closed) return;
      if (timer) clearTimeout(timer);
      timer = null;
      generation++;
      stopEvents?.();
      stopEvents = null;
      attempt = 0;
      setState('reconnecting');
      void reconnect();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      stopEvents?.();
    },
  };
}

/** A set of listeners: `on` returns the way to leave it. */
function listeners<T>(): { on(l: (v: T) => void): () => void; emit(v: T): void } {
  const set = new Set<(v: T) => void>();
  return {
    on(l) {
      set.add(l);
      return () => void set.delete(l);
    },
    emit: (v) => set.forEach((l) => l(v)),
  };
}
