// Micro-benchmark: lines/s through WorkerLog.push() with and without the file tee.
// Run: node bench/log-capture.bench.ts [totalLines]
// Chunks of ~64 KiB of ~100-byte lines, yielding between chunks as a child's pipe would, so
// the file writer competes with capture the way it does in the daemon.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createWorkerLog } from '../app/main/daemon/supervisor/logs/index.ts';

const totalLines = Number(process.argv[2] ?? 1_000_000);
const linesPerChunk = 650;
const chunk = Buffer.from(
  Array.from({ length: linesPerChunk }, (_, i) => `worker says ${i} ${'-'.repeat(60)} done\n`).join(
    '',
  ),
);

async function run(label: string, file: string | null): Promise<void> {
  const log = createWorkerLog({ workerId: 'bench', file });
  const start = performance.now();
  for (let sent = 0; sent < totalLines; sent += linesPerChunk) {
    log.push(sent % 2 ? 'err' : 'out', chunk);
    await yieldToLoop();
  }
  const pushed = performance.now();
  await log.close();
  const drained = performance.now();
  const s = log.stats();
  const rate = Math.round(s.linesCaptured / ((pushed - start) / 1000));
  const size = file ? `, live file ${(statSync(file).size / 1024 / 1024).toFixed(1)} MiB` : '';
  console.log(
    `${label.padEnd(16)} ${rate.toLocaleString('en-US').padStart(11)} lines/s ` +
      `(${s.linesCaptured} lines in ${(pushed - start).toFixed(0)} ms, close ${(drained - pushed).toFixed(0)} ms, ` +
      `dropped ${s.fileLinesDropped}, rotations ${s.rotations}${size})`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'log-capture-bench-'));
try {
  console.log(`node ${process.version}, ${chunk.length} B chunks, ${totalLines} lines per run`);
  await run('ring only', null);
  await run('ring + file tee', join(dir, 'logs', 'bench.log'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
