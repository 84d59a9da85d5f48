// The IPC door: the sender check, then the contract's door core, as the HTTP door uses it (GitHub
// Desktop routes every listener through one verified-sender wrapper). It answers an IpcResult,
// never a thrown error: Electron would flatten an error to its message.
import {
  CommandError,
  dispatchCommand,
  toErrorBody,
  type CommandTarget,
  type ErrorBody,
  type EventFrame,
  type IpcResult,
  type LinkState,
} from '../../../shared/index.ts';
import type { SenderInfo } from './window.ts';

export interface IpcDoorOptions {
  target: CommandTarget;
  isTrustedSender: (sender: SenderInfo) => boolean;
  /** Bugs (non-CommandError failures): logged here, answered as a bland internal error. */
  onInternalError?: (error: unknown, what: string) => void;
}

export interface IpcDoor {
  invoke(sender: SenderInfo, name: unknown, input: unknown): Promise<IpcResult>;
  snapshot(sender: SenderInfo): Promise<IpcResult<EventFrame[]>>;
  connection(sender: SenderInfo): IpcResult<LinkState>;
}

const failure = (error: ErrorBody): IpcResult<never> => ({ ok: false, error });
const FOREIGN = failure({
  error: 'refused: IPC is accepted only from the dashboard window',
  code: 'forbidden',
});

export function createIpcDoor(o: IpcDoorOptions): IpcDoor {
  return {
    async invoke(sender, name, input) {
      if (!o.isTrustedSender(sender)) return FOREIGN;
      const answer = await dispatchCommand(o.target.handlers, name, input, o.onInternalError);
      return answer.ok ? { ok: true, value: answer.value } : failure(answer.error);
    },
    async snapshot(sender) {
      if (!o.isTrustedSender(sender)) return FOREIGN;
      try {
        return { ok: true, value: await o.target.snapshot() };
      } catch (e) {
        if (!(e instanceof CommandError)) o.onInternalError?.(e, 'snapshot');
        return failure(toErrorBody(e));
      }
    },
    connection(sender) {
      if (!o.isTrustedSender(sender)) return FOREIGN;
      return { ok: true, value: o.target.state() };
    },
  };
}

/** At most this many frames in one message to the window. */
export const FRAME_BATCH_MAX = 500;
/** Frames wait at most this long to share a message (a log burst; one display frame). */
export const FRAME_BATCH_MS = 16;

/**
 * Frames to the window, gathered: a worker writing a thousand lines a second costs one IPC
 * message per display frame, not one per line. Order is kept; nothing waits longer than
 * FRAME_BATCH_MS, and a full batch goes at once.
 */
export function createFrameBatcher(o: {
  send: (frames: EventFrame[]) => void;
  /** Run `fn` after `ms`; returns how to cancel. */
  later?: (fn: () => void, ms: number) => () => void;
}): { push(frame: EventFrame): void; flush(): void } {
  const later =
    o.later ??
    ((fn, ms) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    });
  let queue: EventFrame[] = [];
  let cancel: (() => void) | null = null;
  const flush = (): void => {
    cancel?.();
    cancel = null;
    if (queue.length === 0) return;
    const frames = queue;
    queue = [];
    o.send(frames);
  };
  return {
    push(frame) {
      queue.push(frame);
      if (queue.length >= FRAME_BATCH_MAX) flush();
      else cancel ??= later(flush, FRAME_BATCH_MS);
    },
    flush,
  };
}
