// The two clients the bench points at a daemon's control API: a WebSocket that counts the lines of
// the simulator's numbered chatter (ours sends them batched in `logs` frames, the published daemon
// one `log` frame each), and a latency probe for GET /api/workers.
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { z } from 'zod';

export interface LogWindow {
  /** Chatter lines received inside the window (whatever frames carried them). */
  lines: number;
  seconds: number;
  /** Chatter lines the workers numbered between the first and last one seen, per worker, summed. */
  offered: number;
  /** Numbers inside that range that never arrived (dropped anywhere: worker pipe, daemon, socket). */
  missing: number;
  /** Highest count a `dropped` frame reported (ours tells a slow client what it lost). */
  droppedNotice: number;
}

export interface LogCounter {
  startWindow(): void;
  endWindow(): LogWindow;
  close(): void;
}

const ID = /"id":"([^"]+)"/;
const SEQ = /chatter #(\d+) /;
const SEQS = /chatter #(\d+) /g;
const DROPPED = /"dropped":(\d+)/;

interface Range {
  first: number;
  last: number;
  count: number;
}

export async function openLogCounter(wsUrl: string): Promise<LogCounter> {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`WebSocket refused: HTTP ${res.statusCode}`)),
    );
  });
  let counting = false;
  let startedAt = 0;
  let lines = 0;
  let droppedNotice = 0;
  const ranges = new Map<string, Range>();
  // Regexes instead of JSON.parse: tens of thousands of frames a second on a 2-core machine, and
  // the counter must not be what limits the rate.
  ws.on('message', (data: Buffer) => {
    if (!counting) return;
    const text = data.toString();
    if (text.includes('"kind":"dropped"')) {
      droppedNotice = Math.max(droppedNotice, Number(DROPPED.exec(text)?.[1] ?? 0));
      return;
    }
    const batched = text.includes('"kind":"logs"');
    if (!batched && !text.includes('"kind":"log"')) return;
    const id = ID.exec(text);
    if (!id) return;
    const seen = (n: number): void => {
      lines++;
      const r = ranges.get(id[1]!);
      if (!r) ranges.set(id[1]!, { first: n, last: n, count: 1 });
      else {
        r.first = Math.min(r.first, n);
        r.last = Math.max(r.last, n);
        r.count++;
      }
    };
    if (batched) for (const m of text.matchAll(SEQS)) seen(Number(m[1]));
    else {
      const seq = SEQ.exec(text);
      if (seq) seen(Number(seq[1]));
    }
  });
  ws.on('error', () => undefined);
  return {
    startWindow() {
      lines = 0;
      droppedNotice = 0;
      ranges.clear();
      counting = true;
      startedAt = performance.now();
    },
    endWindow() {
      counting = false;
      let offered = 0;
      let missing = 0;
      for (const r of ranges.values()) {
        const span = r.last - r.first + 1;
        offered += span;
        missing += Math.max(0, span - r.count);
      }
      return {
        lines,
        seconds: (performance.now() - startedAt) / 1000,
        offered,
        missing,
        droppedNotice,
      };
    },
    close: () => ws.terminate(),
  };
}

export interface LatencyResult {
  samples: number[];
  errorCount: number;
  errors: string[];
}

const ProbeAnswer = z.object({
  samples: z.array(z.number()),
  errorCount: z.number(),
  errors: z.array(z.string()),
});

export interface LatencyProbe {
  /** Start keeping samples (requests before this only warm the connection up). */
  record(): void;
  /** Stop the loop; the samples taken since record(). Idempotent. */
  stop(): Promise<LatencyResult>;
}

/** Starts GET /api/workers in a loop on a worker thread; resolves once the first answer came. */
export async function startLatencyProbe(opts: {
  url: string;
  token: string;
  gapMs: number;
}): Promise<LatencyProbe> {
  const worker = new Worker(new URL('./latency-probe.ts', import.meta.url), { workerData: opts });
  worker.unref(); // a bench that failed mid-phase must still exit
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  await Promise.race([
    new Promise<void>((resolve) => worker.once('message', () => resolve())),
    failed,
  ]);
  let stopped: Promise<LatencyResult> | null = null;
  return {
    record: () => worker.postMessage('record'),
    stop() {
      stopped ??= (async () => {
        const answer = new Promise<LatencyResult>((resolve) =>
          worker.once('message', (m: unknown) => resolve(ProbeAnswer.parse(m))),
        );
        worker.postMessage('stop');
        const result = await Promise.race([answer, failed]);
        await worker.terminate();
        return result;
      })();
      return stopped;
    },
  };
}
