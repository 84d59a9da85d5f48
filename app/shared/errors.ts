import type { z } from 'zod';

/** The text of anything thrown: an Error's message, else its string form. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** For logs of bugs: the stack when there is one. */
export function errorDetail(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** `workers[0].apiUrl` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

/** One line naming every failing field: `apiUrl: Invalid URL; label: Too small…`. */
export function describeZodError(error: z.ZodError, maxIssues = 5): string {
  const parts = error.issues.slice(0, maxIssues).map((i) => `${fieldPath(i.path)}: ${i.message}`);
  if (error.issues.length > maxIssues) parts.push(`…and ${error.issues.length - maxIssues} more`);
  return parts.join('; ');
}

/** The first failing field, for doors that report one (`400 {error, field}`). */
export function firstField(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? fieldPath(first.path) : '(root)';
}

/** Why a command failed, as the doors report it (HTTP status; the IPC door carries the same). */
export type CommandErrorCode =
  | 'bad-request' // 400: input failed the contract's schema
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404: unknown worker, route
  | 'conflict' // 409: something already in flight, config path in use, host already owned
  | 'precondition' // 412: missing credential or workspaceId; the message says the fix
  | 'upstream' // 502: pipedai-api failed or answered nonsense
  | 'unavailable' // 503: pipedai-api unreachable, daemon shutting down
  | 'internal'; // 500: a bug, never bad input

export const COMMAND_ERROR_STATUS: Record<CommandErrorCode, number> = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  precondition: 412,
  upstream: 502,
  unavailable: 503,
  internal: 500,
};

/** An error the daemon raises on purpose: its message is safe to show (no secrets). */
export class CommandError extends Error {
  readonly code: CommandErrorCode;
  readonly field: string | undefined;
  constructor(code: CommandErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
    this.field = field;
  }
}

/** Body of every error answer of the control API: `{error, code, field?}`. */
export interface ErrorBody {
  error: string;
  code: CommandErrorCode;
  field?: string;
}

export function isCommandErrorCode(v: unknown): v is CommandErrorCode {
  return typeof v === 'string' && Object.hasOwn(COMMAND_ERROR_STATUS, v);
}
