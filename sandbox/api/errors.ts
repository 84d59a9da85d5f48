// Error answers of the emulator: `{error: string, ...}` (contract §2.1), thrown by handlers and
// written by the server. Codes are snake_case like RFC 8628's; `message` is for humans.
import type { z } from 'zod';
import { describeZodError, firstField } from '../../app/shared/index.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly body: { error: string; [key: string]: unknown };
  constructor(status: number, error: string, extra: Record<string, unknown> = {}) {
    super(error);
    this.name = 'ApiError';
    this.status = status;
    this.body = { error, ...extra };
  }
}

export const unauthorized = (message: string): ApiError =>
  new ApiError(401, 'unauthorized', { message });
export const forbidden = (message: string): ApiError => new ApiError(403, 'forbidden', { message });
export const notFound = (what: string): ApiError =>
  new ApiError(404, 'not_found', { message: `${what} not found` });

/** Parse a request body (absent → `{}`) or answer 400 naming the first failing field. */
export function parseBody<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw === undefined ? {} : raw);
  if (result.success) return result.data;
  throw new ApiError(400, 'invalid_request', {
    field: firstField(result.error),
    message: describeZodError(result.error),
  });
}

/** Same for a single value that is not a body (query parameter, header). */
export function parseField<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  field: string,
): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new ApiError(400, 'invalid_request', { field, message: describeZodError(result.error) });
}
