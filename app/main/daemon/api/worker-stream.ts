// One worker event stream connection (contract §2.7): GET …/events/stream over got, parsed by the
// bounded SSE parser, with an idle timeout instead of an overall one.
import defaultGot, { type Got } from 'got';
import { WorkerStreamEvent, normalizeApiUrl, type LastEvent } from '../../../shared/index.ts';
import { safeText } from './errors.ts';
import { USER_AGENT } from './request.ts';
import { SseParser, type SseEvent, type SseLimits, type SseStats } from './sse.ts';

/** How one connection ended. */
export type StreamEnd =
  | { kind: 'ended' }
  | { kind: 'http'; status: number }
  | { kind: 'not-event-stream'; contentType: string }
  | { kind: 'network'; message: string }
  | { kind: 'idle'; idleMs: number }
  | { kind: 'aborted' };

export interface WorkerStreamOptions {
  got?: Got;
  apiUrl: string;
  workerId: string;
  /** Operator token (admin token for pool workers). */
  token: string;
  signal: AbortSignal;
  /** No byte (keep-alives included) for this long ends the connection as `idle`. */
  idleTimeoutMs: number;
  limits?: Partial<SseLimits>;
  /** Counters the parser adds to (events, keep-alive comments, dropped lines and events). */
  stats?: SseStats;
  onOpen?: () => void;
  onEvent: (event: LastEvent) => void;
}

const MAX_FIELD_CHARS = 200;

/** One connection; resolves (never rejects) when it ends. There is no overall timeout. */
export function openWorkerEventStream(o: WorkerStreamOptions): Promise<StreamEnd> {
  return new Promise<StreamEnd>((resolve) => {
    if (o.signal.aborted) return resolve({ kind: 'aborted' });
    const url = `${normalizeApiUrl(o.apiUrl)}/api/v1/workers/${encodeURIComponent(o.workerId)}/events/stream`;
    const parser = new SseParser(o.limits, o.stats);
    let stream: ReturnType<Got['stream']> | undefined;
    let done = false;
    const finish = (end: StreamEnd): void => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      o.signal.removeEventListener('abort', onAbort);
      stream?.destroy();
      resolve(end);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    const idle = setTimeout(
      () => finish({ kind: 'idle', idleMs: o.idleTimeoutMs }),
      o.idleTimeoutMs,
    );
    o.signal.addEventListener('abort', onAbort, { once: true });
    try {
      stream = (o.got ?? defaultGot).stream(url, {
        headers: {
          accept: 'text/event-stream',
          authorization: `Bearer ${o.token}`,
          'user-agent': USER_AGENT,
        },
        throwHttpErrors: false,
        followRedirect: false,
        retry: { limit: 0 },
      });
    } catch (e) {
      return finish({ kind: 'network', message: safeText(String(e), [o.token]) });
    }
    stream.on(
      'response',
      (res: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
        if (res.statusCode < 200 || res.statusCode >= 300)
          return finish({ kind: 'http', status: res.statusCode });
        const contentType = String(res.headers['content-type'] ?? '').slice(0, 100);
        if (!contentType.includes('text/event-stream'))
          return finish({ kind: 'not-event-stream', contentType });
        o.onOpen?.();
      },
    );
    stream.on('data', (chunk: Buffer) => {
      idle.refresh();
      for (const ev of parser.push(chunk)) {
        const last = lastEventOf(ev);
        if (last && !done) o.onEvent(last);
      }
    });
    stream.on('end', () => finish({ kind: 'ended' }));
    stream.on('error', (e: Error) =>
      finish({ kind: 'network', message: safeText(e.message, [o.token]) }),
    );
  });
}

/** `{type: data.type ?? event name ?? "event", at: data.ts ?? ""}`; null for non-JSON data. */
export function lastEventOf(ev: SseEvent): LastEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(ev.data);
  } catch {
    return null;
  }
  const parsed = WorkerStreamEvent.safeParse(json);
  if (!parsed.success) return null;
  return {
    type: (parsed.data.type ?? ev.event ?? 'event').slice(0, MAX_FIELD_CHARS),
    at: (parsed.data.ts ?? '').slice(0, MAX_FIELD_CHARS),
  };
}

/** One line for the status view; never a token. */
export function describeEnd(end: StreamEnd): string {
  switch (end.kind) {
    case 'ended':
      return 'event stream ended by the server';
    case 'http':
      return `event stream HTTP ${end.status}`;
    case 'not-event-stream':
      return `event stream answered ${end.contentType || 'no content-type'}, not text/event-stream`;
    case 'network':
      return `event stream network error: ${end.message}`;
    case 'idle':
      return `event stream silent for ${end.idleMs / 1000} s`;
    case 'aborted':
      return 'event stream aborted';
  }
}
