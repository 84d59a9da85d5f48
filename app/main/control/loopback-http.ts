// The control client's HTTP: one request to the daemon on this host, over loopback, on node:http.
// got stays the HTTP stack toward pipedai-api (retries, redirects, proxies); for a call that never
// leaves 127.0.0.1 it cost every CLI command about 60 ms and 35 MiB just to load
// (docs/benchmarks.md), so the control client's few calls use this instead.
import { request } from 'node:http';

export interface LoopbackRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange, or null for no limit (a drain answers when the run ends). */
  timeoutMs: number | null;
}

export interface LoopbackAnswer {
  status: number;
  body: string;
}

/** Bounds what an answer may hold (the largest, a log tail or a diagnostics report, is far below). */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** Rejects with an Error naming what went wrong (refused, timed out, too large); never retries. */
export function loopbackRequest(url: string, r: LoopbackRequest): Promise<LoopbackAnswer> {
  return new Promise((resolve, reject) => {
    // No keep-alive pool: a CLI makes two or three calls and must exit right after them.
    const req = request(url, { method: r.method, headers: r.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES)
          req.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    const timer =
      r.timeoutMs === null
        ? null
        : setTimeout(
            () => req.destroy(new Error(`no answer within ${r.timeoutMs} ms`)),
            r.timeoutMs,
          );
    req.on('error', reject);
    req.on('close', () => {
      if (timer) clearTimeout(timer);
    });
    req.end(r.body);
  });
}
