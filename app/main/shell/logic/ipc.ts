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
