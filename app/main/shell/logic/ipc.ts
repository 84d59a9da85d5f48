// The IPC door: one generic handler over the contract's command table, like the HTTP router.
// It checks the sender, parses the input with the same schema as the HTTP door, calls the daemon
// (in-process or through the control client) and answers an IpcResult, never a thrown error.
import {
  CommandError,
  commands,
  describeZodError,
  firstField,
  scrubTokens,
  type CommandArgs,
  type CommandName,
  type CommandOutput,
  type ErrorBody,
  type EventFrame,
} from '../../../shared/index.ts';
import type { IpcResult, LinkState } from '../../../shared/ipc.ts';
import type { SenderInfo } from './window.ts';

/** Whatever runs the commands: the in-process Orchestrator, or the owner's control client. */
export interface CommandTarget {
  call<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<CommandOutput<N>>;
  snapshot(): Promise<EventFrame[]>;
  state(): LinkState;
}

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

const failure = (code: ErrorBody['code'], error: string, field?: string): IpcResult<never> => ({
  ok: false,
  error: field === undefined ? { error, code } : { error, code, field },
});

const FOREIGN = failure('forbidden', 'refused: IPC is accepted only from the dashboard window');

const isCommandName = (v: unknown): v is CommandName =>
  typeof v === 'string' && Object.hasOwn(commands, v);

export function createIpcDoor(o: IpcDoorOptions): IpcDoor {
  const fromError = (e: unknown, what: string): IpcResult<never> => {
    if (e instanceof CommandError) return failure(e.code, scrubTokens(e.message), e.field);
    o.onInternalError?.(e, what);
    return failure('internal', 'internal error');
  };

  return {
    async invoke(sender, name, input) {
      if (!o.isTrustedSender(sender)) return FOREIGN;
      if (!isCommandName(name)) {
        const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 60)) : typeof name;
        return failure('bad-request', `unknown command ${shown}`, 'name');
      }
      const parsed = commands[name].input.safeParse(input ?? {});
      if (!parsed.success)
        return failure('bad-request', describeZodError(parsed.error), firstField(parsed.error));
      try {
        const call = o.target.call as (n: CommandName, a: unknown) => Promise<unknown>;
        return { ok: true, value: await call(name, parsed.data) };
      } catch (e) {
        return fromError(e, name);
      }
    },

    async snapshot(sender) {
      if (!o.isTrustedSender(sender)) return FOREIGN;
      try {
        return { ok: true, value: await o.target.snapshot() };
      } catch (e) {
        return fromError(e, 'snapshot');
      }
    },

    connection(sender) {
      if (!o.isTrustedSender(sender)) return FOREIGN;
      return { ok: true, value: o.target.state() };
    },
  };
}
