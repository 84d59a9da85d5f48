// The door core: what every door (HTTP control server, Electron IPC, the desktop link) does with
// a command, written once. Check the name, parse the input with the contract's schema, run the
// handler, and turn a failure into the error body every client decodes. A door keeps only its
// transport (GitHub Desktop routes every IPC handler through one verified-sender wrapper; VS
// Code's ProxyChannel turns a service into a channel and back: the same idea over our table).
import {
  commands,
  type CallCommand,
  type CommandHandlers,
  type CommandName,
  type CommandOutput,
} from './commands.ts';
import {
  COMMAND_ERROR_STATUS,
  CommandError,
  describeZodError,
  firstField,
  type ErrorBody,
} from './errors.ts';
import type { EventFrame } from './events.ts';
import type { LinkState } from './ipc.ts';
import { scrubTokens } from './util.ts';

/** A door's answer to one command: its output, or the error body; with the HTTP status of either. */
export type DoorAnswer =
  { ok: true; status: number; value: unknown } | { ok: false; status: number; error: ErrorBody };

export const COMMAND_NAMES = Object.keys(commands) as CommandName[];

export function isCommandName(v: unknown): v is CommandName {
  return typeof v === 'string' && Object.hasOwn(commands, v);
}

/** A failure as every door reports it. Only a CommandError's message is shown (scrubbed of
 * tokens); anything else is a bug, answered as a bland internal error. */
export function toErrorBody(e: unknown): ErrorBody {
  if (!(e instanceof CommandError)) return { error: 'internal error', code: 'internal' };
  const body: ErrorBody = { error: scrubTokens(e.message), code: e.code };
  if (e.field) body.field = e.field;
  return body;
}

const failure = (error: ErrorBody): DoorAnswer => ({
  ok: false,
  status: COMMAND_ERROR_STATUS[error.code],
  error,
});

/**
 * Run command `name` with untrusted input `raw` on `handlers`. Never throws: bad input is a 400
 * naming the field, a handler's CommandError keeps its code, a bug is reported to
 * `onInternalError` and answered as `internal`.
 */
export async function dispatchCommand(
  handlers: CommandHandlers,
  name: unknown,
  raw: unknown,
  onInternalError?: (error: unknown, command: string) => void,
): Promise<DoorAnswer> {
  if (!isCommandName(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 60)) : typeof name;
    return failure({ error: `unknown command ${shown}`, code: 'bad-request', field: 'name' });
  }
  const def = commands[name];
  const parsed = def.input.safeParse(raw ?? {});
  if (!parsed.success) {
    return failure({
      error: describeZodError(parsed.error),
      code: 'bad-request',
      field: firstField(parsed.error),
    });
  }
  try {
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    return { ok: true, status: def.status, value: await handler(parsed.data) };
  } catch (e) {
    if (!(e instanceof CommandError)) onInternalError?.(e, name);
    return failure(toErrorBody(e));
  }
}

/** A client of handlers in this process: the same dispatch, a failure thrown as a CommandError. */
export function callThroughDoor(
  handlers: CommandHandlers,
  onInternalError?: (error: unknown, command: string) => void,
): CallCommand {
  return async <N extends CommandName>(name: N, input: unknown) => {
    const answer = await dispatchCommand(handlers, name, input, onInternalError);
    if (answer.ok) return answer.value as CommandOutput<N>;
    throw new CommandError(answer.error.code, answer.error.error, answer.error.field);
  };
}

/** Handlers that forward every command to `call`: a remote daemon looks like a local one
 * (ProxyChannel.toService, over the command table). */
export function forwardingHandlers(call: CallCommand): CommandHandlers {
  const forward = (name: CommandName) => (input: unknown) =>
    (call as (n: CommandName, i: unknown) => Promise<unknown>)(name, input);
  return Object.fromEntries(COMMAND_NAMES.map((n) => [n, forward(n)])) as CommandHandlers;
}

/** What a door serves: the commands, the frames that draw the present, the link's state. */
export interface CommandTarget {
  readonly handlers: CommandHandlers;
  snapshot(): Promise<EventFrame[]>;
  state(): LinkState;
}
