// Whatever the preload rejects with becomes a CommandError the views can show: the message is the
// daemon's `error` (already scrubbed of secrets), `field` names the input that failed.
import { CommandError, isCommandErrorCode } from '../../shared/index.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

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
