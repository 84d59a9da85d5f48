// One JSON call to pipedai-api over got (contract §2.1): headers, per-call timeout, bounded
// body, no redirects, typed errors, zod-parsed answers, and retries only where the caller allows.
import type { ClientRequest } from 'node:http';
import type { Got } from 'got';
import type { z } from 'zod';
import { errorMessage, ApiErrorBody, describeZodError } from '../../../shared/index.ts';
import { VERSION } from '../version.ts';
import { ApiError, type ApiErrorKind } from './errors.ts';
import type { Sleep } from './sleep.ts';

export const USER_AGENT = `pipedai-orchestrator/${VERSION}`;

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface Transport {
  got: Got;
  sleep: Sleep;
  /** Largest response body read; a bigger one is an invalid-response error. */
  maxBodyBytes: number;
}

export interface JsonCall<T> {
  method: HttpMethod;
  /** Normalised apiUrl. */
  baseUrl: string;
  /** Path only (segments already encoded); it is what errors show. */
  path: string;
  query?: Record<string, string>;
  token?: string;
  body?: unknown;
  /** Parses the 2xx body; absent when the contract says the body is ignored. */
  schema?: z.ZodType<T>;
  timeoutMs: number;
  /** Delay before each retry of a transient failure; empty for calls that must not repeat. */
  retryDelaysMs: readonly number[];
  /** Secrets in the request body (enrollment code, device code), scrubbed from errors with the token. */
  secrets?: readonly string[];
  signal?: AbortSignal;
}

export async function callJson<T>(t: Transport, call: JsonCall<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(t, call);
    } catch (e) {
      const delay = call.retryDelaysMs[attempt];
      if (delay === undefined || !isTransient(e) || call.signal?.aborted) throw e;
      await t.sleep(delay, call.signal);
    }
  }
}

/** Network errors, timeouts and server-side failures; never 4xx answers or bad bodies. */
export function isTransient(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  if (e.kind === 'network') return true;
  return e.kind === 'http' && (e.status >= 500 || e.status === 429 || e.status === 408);
}

async function attemptOnce<T>(t: Transport, call: JsonCall<T>): Promise<T> {
  const secrets = [call.token, ...(call.secrets ?? [])];
  const fail = (kind: ApiErrorKind, status: number, message: string, code?: string): ApiError =>
    new ApiError({ kind, status, code, method: call.method, path: call.path }, message, secrets);
  const networkError = (cause: string): ApiError =>
    fail('network', 0, `network error calling ${call.method} ${call.path}: ${cause}`);

  const url = buildUrl(call);
  if (!url) throw networkError('invalid API URL (expected http:// or https://)');

  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': USER_AGENT,
  };
  if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;

  const sizeGuard = new AbortController();
  const signal = call.signal ? AbortSignal.any([call.signal, sizeGuard.signal]) : sizeGuard.signal;
  let tooLarge = false;
  let status = 0;
  let statusCode: number;
  let text: string;
  try {
    const pending = t.got(url, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      timeout: { request: call.timeoutMs },
      signal,
      throwHttpErrors: false,
      followRedirect: false,
      retry: { limit: 0 },
      responseType: 'text',
    });
    // The promise reports its response only once the body is read: take the status from the request.
    pending.on('request', (req: ClientRequest) => {
      req.once('response', (res: { statusCode?: number }) => {
        status = res.statusCode ?? 0;
      });
    });
    pending.on('downloadProgress', (p: { transferred: number }) => {
      if (p.transferred > t.maxBodyBytes && !tooLarge) {
        tooLarge = true;
        sizeGuard.abort();
      }
    });
    const res = await pending;
    statusCode = res.statusCode;
    text = res.body;
  } catch (e) {
    if (tooLarge) {
      throw fail(
        'invalid-response',
        status,
        `response from ${call.method} ${call.path} is larger than ${t.maxBodyBytes} bytes`,
      );
    }
    if (call.signal?.aborted) throw networkError('aborted');
    throw networkError(errorMessage(e));
  }

  if (statusCode < 200 || statusCode >= 300) {
    const code = errorCodeOf(text);
    const fallback =
      statusCode >= 300 && statusCode < 400
        ? `HTTP ${statusCode} (redirects are not followed; check the API URL)`
        : `HTTP ${statusCode}`;
    throw fail('http', statusCode, code ?? fallback, code);
  }
  if (!call.schema) return undefined as T;

  const invalid = (why: string): ApiError =>
    fail(
      'invalid-response',
      statusCode,
      `invalid response from ${call.method} ${call.path}: ${why}`,
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('body is not JSON');
  }
  const parsed = call.schema.safeParse(json);
  if (!parsed.success) throw invalid(describeZodError(parsed.error));
  return parsed.data;
}

function buildUrl(call: JsonCall<unknown>): URL | null {
  let url: URL;
  try {
    url = new URL(call.baseUrl + call.path);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
  return url;
}

/** The API's `{error: string}` from an error body, if it has one. */
function errorCodeOf(text: string): string | undefined {
  try {
    const parsed = ApiErrorBody.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}
