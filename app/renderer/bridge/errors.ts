// Whatever a door rejects with becomes a CommandError the views can show: the message is the
// daemon's `error` (already scrubbed of secrets), `field` names the input that failed.
import { CommandError, isCommandErrorCode, type CommandErrorCode } from '../../shared/index.ts';

const STATUS_CODES: Record<number, CommandErrorCode> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  412: 'precondition',
  413: 'bad-request',
  502: 'upstream',
  503: 'unavailable',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** An HTTP error answer (`{error, code, field?}`, or anything else) as a CommandError. */
export function errorFromResponse(status: number, body: unknown): CommandError {
  const b = isRecord(body) ? body : {};
  const code = isCommandErrorCode(b.code) ? b.code : (STATUS_CODES[status] ?? 'internal');
  const message = typeof b.error === 'string' && b.error !== '' ? b.error : `HTTP ${status}`;
  return new CommandError(code, message, typeof b.field === 'string' ? b.field : undefined);
}

/** Electron prefixes IPC rejections: "Error invoking remote method 'x': Error: msg". */
const IPC_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

/** Normalise any rejection (CommandError, ErrorBody, Error, string) to a CommandError. */
export function toCommandError(e: unknown): CommandError {
  if (e instanceof CommandError) return e;
  if (isRecord(e)) {
    const code = isCommandErrorCode(e.code) ? e.code : 'internal';
    const field = typeof e.field === 'string' ? e.field : undefined;
    if (typeof e.error === 'string') return new CommandError(code, e.error, field);
    if (typeof e.message === 'string')
      return new CommandError(code, e.message.replace(IPC_PREFIX, ''), field);
  }
  return new CommandError('internal', typeof e === 'string' ? e : 'unexpected error');
}
