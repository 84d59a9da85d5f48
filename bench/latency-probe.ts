// Worker thread: GET /api/workers back to back (with a short gap) until told to stop, timing each
// answer. A thread of its own, so the frame counting on the main thread does not delay the reads
// of answers and inflate the numbers. It posts 'ready' after its first answer (fetch loaded, the
// connection open), so the window the caller opens measures requests, not the thread's start.
// No zod here: loading it would slow the thread's start, and workerData comes from the bench.
import { parentPort, workerData } from 'node:worker_threads';

const { url, token, gapMs } = workerData as { url: string; token: string; gapMs: number };
if (typeof url !== 'string' || typeof token !== 'string' || typeof gapMs !== 'number')
  throw new TypeError('latency probe: workerData must be {url, token, gapMs}');

let running = true;
let recording = false;
parentPort!.on('message', (m: unknown) => {
  if (m === 'record') recording = true;
  else running = false;
});

const samples: number[] = [];
const errors: string[] = [];
let errorCount = 0;
let first = true;
while (running) {
  const t0 = performance.now();
  let ok = false;
  try {
    const res = await fetch(`${url}/api/workers`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    ok = res.status === 200;
    if (!ok && recording) errors.push(`HTTP ${res.status}`);
  } catch (e) {
    if (recording) errors.push(e instanceof Error ? e.message : String(e));
  }
  if (recording) {
    if (ok) samples.push(performance.now() - t0);
    else errorCount++;
  }
  if (first) {
    first = false;
    parentPort!.postMessage('ready');
  }
  await new Promise((r) => setTimeout(r, gapMs));
}
parentPort!.postMessage({ samples, errors: errors.slice(0, 5), errorCount });
