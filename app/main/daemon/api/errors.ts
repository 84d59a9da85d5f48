// The one error type of the pipedai-api client (contract §2.1). Its message is safe to show:
// every secret the call carried is scrubbed before the error is built.
import { scrub, scrubTokens } from '../../../shared/index.ts';

/** network: transport failure or timeout (status 0); http: non-2xx; invalid-response: 2xx we cannot use. */
export type ApiErrorKind = 'network' | 'http' | 'invalid-response';

export interface ApiErrorInit {
  kind: ApiErrorKind;
  status: number;
  code?: string | undefined;
  method: string;
  /** Path only: never the query string, never a token. */
  path: string;
}

const MAX_MESSAGE_CHARS = 500;

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  /** HTTP status; 0 for network errors and timeouts. */
  readonly status: number;
  /** The API's `error` string when the body had one (e.g. `authorization_pending`). */
  readonly code: string | undefined;
  readonly method: string;
  readonly path: string;

  constructor(
    init: ApiErrorInit,
    message: string,
    secrets: Iterable<string | null | undefined> = [],
  ) {
    super(safeText(message, secrets));
    this.name = 'ApiError';
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code === undefined ? undefined : safeText(init.code, secrets);
    this.method = init.method;
    this.path = init.path;
  }
}

/** Scrub the call's secrets and anything token-shaped, and bound the length. */
export function safeText(text: string, secrets: Iterable<string | null | undefined>): string {
  const clean = scrubTokens(scrub(text, secrets));
  return clean.length > MAX_MESSAGE_CHARS ? `${clean.slice(0, MAX_MESSAGE_CHARS)}…` : clean;
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
