// The renderer's Bridge over Electron IPC, written against a minimal ipcRenderer shape so it is
// tested without Electron. Rejections are plain ErrorBody objects: an Error crossing
// contextBridge loses `code` and `field`.
import type {
  CommandInput,
  CommandName,
  CommandOutput,
  ErrorBody,
  EventFrame,
} from '../shared/index.ts';
import type {
  Bridge,
  ConnectionListener,
  ConnectionState,
  FrameListener,
} from '../shared/bridge.ts';
import { IPC, type IpcResult, type LinkState } from '../shared/ipc.ts';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

/** Live frames that arrive while a subscriber's snapshot is on its way wait here, at most this many. */
export const MAX_PENDING_FRAMES = 500;

const LINK_STATES: ReadonlySet<string> = new Set<LinkState>(['connecting', 'open', 'reconnecting']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function brokenAnswer(channel: string): ErrorBody {
  return { error: `malformed answer on ${channel}`, code: 'internal' };
}

/** Unwrap an IpcResult; reject with its plain ErrorBody. */
async function call(ipc: IpcRendererLike, channel: string, ...args: unknown[]): Promise<unknown> {
  let result: unknown;
  try {
    result = await ipc.invoke(channel, ...args);
  } catch (e) {
    // Only when the main process has no handler (it is quitting): not the door's answer.
    throw {
      error: e instanceof Error ? e.message : 'the app is not answering',
      code: 'unavailable',
    } satisfies ErrorBody;
  }
  if (!isRecord(result)) throw brokenAnswer(channel);
  const r = result as IpcResult;
  if (r.ok === true) return r.value;
  if (r.ok === false && isRecord(r.error) && typeof r.error.error === 'string') {
    const { error, code, field } = r.error;
    throw field === undefined ? { error, code } : { error, code, field };
  }
  throw brokenAnswer(channel);
}

export function createIpcBridge(ipc: IpcRendererLike): Bridge {
  let connection: ConnectionState = 'connecting';
  const connectionListeners = new Set<ConnectionListener>();
  const setConnection = (value: unknown): void => {
    if (typeof value !== 'string' || !LINK_STATES.has(value) || value === connection) return;
    connection = value as LinkState;
    for (const cb of connectionListeners) cb(connection);
  };
  ipc.on(IPC.connectionChanged, (_event, state) => setConnection(state));
  void call(ipc, IPC.connection).then(setConnection, () => undefined);

  return {
    invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      return call(ipc, IPC.invoke, name, input) as Promise<CommandOutput<N>>;
    },

    subscribe(onFrame: FrameListener): () => void {
      let active = true;
      // Live frames wait until the snapshot is delivered, so an older snapshot never lands last.
      let pending: unknown[] | null = [];
      const deliver = (frame: unknown): void => {
        if (active && isRecord(frame) && typeof frame.kind === 'string')
          onFrame(frame as EventFrame);
      };
      const listener: IpcListener = (_event, frames) => {
        if (!Array.isArray(frames)) return;
        for (const frame of frames as unknown[]) {
          if (pending === null) deliver(frame);
          else {
            if (pending.length >= MAX_PENDING_FRAMES) pending.shift();
            pending.push(frame);
          }
        }
      };
      ipc.on(IPC.frame, listener);
      const flush = (snapshot: unknown): void => {
        const waiting = pending ?? [];
        pending = null;
        if (Array.isArray(snapshot)) snapshot.forEach(deliver);
        waiting.forEach(deliver);
      };
      void call(ipc, IPC.snapshot).then(flush, () => flush([]));
      return () => {
        active = false;
        ipc.removeListener(IPC.frame, listener);
      };
    },

    onConnection(cb: ConnectionListener): () => void {
      connectionListeners.add(cb);
      cb(connection);
      return () => void connectionListeners.delete(cb);
    },
  };
}
