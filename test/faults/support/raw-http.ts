// HTTP below fetch: any Host header, any method, any bytes, half-sent requests. Every request is
// bounded: what does not answer within the timeout is reported as a hang, never waited on.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export interface RawRequest {
  method: string;
  /** Sent as is (already percent-encoded where needed). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export type RawResult =
  | { kind: 'answer'; status: number; body: string; ms: number }
  | { kind: 'closed'; error: string; ms: number }
  | { kind: 'hang'; ms: number };

/** Node frames a DELETE body only when told its length: say it, unless the test frames it. */
function framed(r: RawRequest): Record<string, string> {
  const names = Object.keys(r.headers).map((h) => h.toLowerCase());
  if (
    r.body === undefined ||
    names.includes('content-length') ||
    names.includes('transfer-encoding')
  )
    return r.headers;
  return { ...r.headers, 'content-length': String(r.body.length) };
}

export function rawClient(port: number, timeoutMs: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  return {
    send(r: RawRequest): Promise<RawResult> {
      const started = performance.now();
      const ms = (): number => Math.round(performance.now() - started);
      return new Promise((resolve) => {
        let done = false;
        const finish = (result: RawResult): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve(result);
        };
        const req = request({
          host: '127.0.0.1',
          port,
          method: r.method,
          path: r.path,
          headers: framed(r),
          agent,
          setHost: !Object.keys(r.headers).some((h) => h.toLowerCase() === 'host'),
        });
        const timer = setTimeout(() => {
          finish({ kind: 'hang', ms: ms() });
          req.destroy();
        }, timeoutMs);
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            finish({
              kind: 'answer',
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: ms(),
            }),
          );
          res.on('error', (e) => finish({ kind: 'closed', error: e.message, ms: ms() }));
        });
        req.on('error', (e) => finish({ kind: 'closed', error: e.message, ms: ms() }));
        req.end(r.body);
      });
    },
    close: () => agent.destroy(),
  };
}

/**
 * Write `head` on a fresh connection and then nothing: when does the server answer or hang up?
 * Resolves with what it said (if anything) and when the connection ended, or `hang`.
 */
export function stall(
  port: number,
  head: string,
  timeoutMs: number,
): Promise<{ said: string; ms: number | null }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let said = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ said, ms: null });
    }, timeoutMs);
    socket.on('data', (d: Buffer) => (said += d.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ said, ms: Math.round(performance.now() - started) });
    });
  });
}
