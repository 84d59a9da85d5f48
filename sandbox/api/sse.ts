// Per-worker Server-Sent Events streams (contract §2.7): standard framing, `: keep-alive`
// comments every keepAliveMs, each event `id`, `event` and one `data:` line of JSON
// `{type, ts, workerId, ...}`. Bounded: streams per worker and in total; a client that stops
// reading is cut off once its unsent backlog passes a cap.
import type { ServerResponse } from 'node:http';
import { ApiError } from './errors.ts';

export const SSE_LIMITS = { perWorker: 16, total: 512, backlogBytes: 256 * 1024 };

export interface SseHub {
  /** Throws 429 when a bound is reached; otherwise takes over `res` until the client leaves. */
  open(workerId: string, res: ServerResponse): void;
  publish(workerId: string, type: string, extra?: Record<string, unknown>): void;
  /** End every stream of a worker (after it was deleted). */
  closeWorker(workerId: string): void;
  closeAll(): void;
  counts(): Record<string, number>;
}

export function createSseHub(options: { keepAliveMs: number; now: () => number }): SseHub {
  const streams = new Map<string, Set<ServerResponse>>();
  let total = 0;
  let nextId = 1;

  const send = (res: ServerResponse, chunk: string) => {
    if (res.writableLength > SSE_LIMITS.backlogBytes) {
      res.destroy();
      return;
    }
    res.write(chunk);
  };

  return {
    open(workerId, res) {
      const set = streams.get(workerId) ?? new Set<ServerResponse>();
      if (set.size >= SSE_LIMITS.perWorker || total >= SSE_LIMITS.total) {
        throw new ApiError(429, 'too_many_streams', { message: 'event stream limit reached' });
      }
      streams.set(workerId, set);
      set.add(res);
      total++;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      const keepAlive = setInterval(() => send(res, ': keep-alive\n\n'), options.keepAliveMs);
      keepAlive.unref();
      res.on('close', () => {
        clearInterval(keepAlive);
        if (set.delete(res)) total--;
        if (set.size === 0 && streams.get(workerId) === set) streams.delete(workerId);
      });
    },
    publish(workerId, type, extra = {}) {
      const set = streams.get(workerId);
      if (!set) return;
      const data = JSON.stringify({
        ...extra,
        type,
        ts: new Date(options.now()).toISOString(),
        workerId,
      });
      const frame = `id: ${nextId++}\nevent: ${type}\ndata: ${data}\n\n`;
      for (const res of set) send(res, frame);
    },
    closeWorker(workerId) {
      for (const res of streams.get(workerId) ?? []) res.end();
    },
    closeAll() {
      for (const set of streams.values()) for (const res of set) res.destroy();
    },
    counts() {
      return Object.fromEntries([...streams].map(([id, set]) => [id, set.size]));
    },
  };
}
