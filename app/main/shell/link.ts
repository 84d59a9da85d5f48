// The desktop app's link to the host's daemon. When no live process owns the host, the app owns
// it: the Orchestrator runs in this process and the control server answers the CLI and the
// browser. When another process owns it (the headless daemon, usually a service), the app
// attaches through the control client and never supervises. Plain Node: no electron here.
import {
  CommandError,
  type CommandArgs,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type EventFrame,
} from '../../shared/index.ts';
import type { LinkState } from '../../preload/channels.ts';
import { createControlClient, type ControlClient } from '../control/client.ts';
import { DEFAULT_CONTROL_PORT } from '../control/server.ts';
import { startHeadless, type RunningDaemon } from '../daemon/headless.ts';
import type { Orchestrator } from '../daemon/orchestrator/index.ts';
import { HostOwnedError, readLiveOwner } from '../daemon/owner/index.ts';
import { pathsFor, resolveHome, type Paths } from '../daemon/paths.ts';
import type { DaemonOptions } from '../daemon/daemon.ts';
import type { DesktopUpdatePort } from '../daemon/ports.ts';
import { openStore } from '../daemon/store/index.ts';
import {
  attachedCallTimeoutMs,
  controlPortAttempts,
  decideHostMode,
  reconnectDelayMs,
} from './logic/host-mode.ts';
import type { CommandTarget } from './logic/ipc-door.ts';
import type { CloseHow } from './logic/quit.ts';
import type { HostMode } from './logic/shell-state.ts';

export interface DaemonLink extends CommandTarget {
  readonly mode: HostMode;
  /** PIPEDAI_HOME of the host. */
  readonly home: string;
  /** The owner's control server, e.g. http://127.0.0.1:4599. */
  url(): string;
  subscribe(listener: (frame: EventFrame) => void): () => void;
  onState(listener: (state: LinkState) => void): () => void;
  /** Idempotent. An attached link only detaches, whatever `how` says. */
  close(how: CloseHow): Promise<void>;
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
  /** The app's own updates, served by the daemon when the app owns the host. */
  desktopUpdate?: DesktopUpdatePort;
  /** The native service, for the daemon's `doctor` report. */
  serviceStatus?: DaemonOptions['serviceStatus'];
  sleep?: (ms: number) => Promise<void>;
}

/** Retries when another process wins the owner lock between our read and our take. */
const OWN_RACE_RETRIES = 3;
const OWNER_POLL_MS = 200;

export async function openDaemonLink(o: LinkOptions): Promise<DaemonLink> {
  const paths = pathsFor(resolveHome(o.env));
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
      return attachLink(paths, d.port);
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
    ...orchestratorTarget(orchestrator),
    onState: () => () => undefined,
    subscribe: (listener) => orchestrator.subscribe(listener),
    close(how) {
      closing ??=
        how === 'drain'
          ? r.stop()
          : // Handoff: workers keep running; the service's daemon adopts them (child registry).
            r.server.close().then(() => r.daemon.close({ drain: false }));
      return closing;
    },
  };
}

/** The in-process Orchestrator as a command target: the same generic dispatch as the HTTP door. */
export function orchestratorTarget(orchestrator: Orchestrator): CommandTarget {
  return {
    call<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<CommandOutput<N>> {
      const handler = orchestrator[name] as unknown as (a: unknown) => Promise<CommandOutput<N>>;
      return handler(args);
    },
    snapshot: () => orchestrator.snapshot(),
    state: () => 'open',
  };
}

function attachLink(paths: Paths, firstPort: number): DaemonLink {
  const store = openStore(paths);
  let port = firstPort;
  let clientP: Promise<ControlClient> | null = null;
  const client = (): Promise<ControlClient> =>
    (clientP ??= store.credentials
      .localToken()
      .then((token) => createControlClient({ baseUrl: `http://127.0.0.1:${port}`, token })));

  let state: LinkState = 'connecting';
  const stateListeners = new Set<(s: LinkState) => void>();
  const frameListeners = new Set<(f: EventFrame) => void>();
  const setState = (s: LinkState): void => {
    if (s === state) return;
    state = s;
    for (const l of stateListeners) l(s);
  };
  let closed = false;
  let attempt = 0;
  let stopEvents: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const connect = async (): Promise<void> => {
    let ended = false;
    const onEnd = (): void => {
      if (ended || closed) return;
      ended = true;
      setState('reconnecting');
      timer = setTimeout(() => void reconnect(), reconnectDelayMs(attempt++));
    };
    let c: ControlClient;
    try {
      c = await client();
    } catch {
      return onEnd();
    }
    if (closed) return;
    // The owner sends a snapshot on connect: its first frame means the link is up.
    stopEvents = c.events((frame) => {
      if (state !== 'open') {
        attempt = 0;
        setState('open');
      }
      for (const l of frameListeners) l(frame);
    }, onEnd);
  };
  const reconnect = async (): Promise<void> => {
    if (closed) return;
    // The owner may be back on another port or with a rotated token (restart, self-upgrade).
    const owner = await readLiveOwner(paths).catch(() => null);
    if (owner?.port != null) port = owner.port;
    clientP = null;
    await connect();
  };
  void connect();

  return {
    mode: 'attached',
    home: paths.home,
    url: () => `http://127.0.0.1:${port}`,
    async call<N extends CommandName>(name: N, args: CommandArgs<N>) {
      const c = await client();
      return c.call(name, args as CommandInput<N>, { timeoutMs: attachedCallTimeoutMs(name) });
    },
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
    onState(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    subscribe(listener) {
      frameListeners.add(listener);
      return () => void frameListeners.delete(listener);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      stopEvents?.();
    },
  };
}
