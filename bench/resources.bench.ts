// The resource sampler's cost: 20 workers, each a process with a child (where its runs happen),
// sampled the way the daemon does (one table read, every tree summed), through /proc and through
// `ps` (what macOS uses). Reports the CPU one sample costs and, at the daemon's 5 s interval, the
// share of one core: the goal is at most 1 %.
// Run: node bench/resources.bench.ts [workers] [samples]
import { spawn, type ChildProcess } from 'node:child_process';
import {
  createResourceSampler,
  RESOURCE_INTERVAL_MS,
} from '../app/main/daemon/resources/sampler.ts';
import {
  procTable,
  psTable,
  type ProcessTable,
} from '../app/main/daemon/resources/process-table.ts';

const workers = Number(process.argv[2] ?? 20);
const samples = Number(process.argv[3] ?? 200);

// A worker: node idling, with one child idling (the run).
const trees: ChildProcess[] = Array.from({ length: workers }, () =>
  spawn(
    process.execPath,
    [
      '-e',
      "require('child_process').spawn(process.execPath, ['-e', 'setInterval(()=>{}, 1e6)'], { stdio: 'ignore' }); setInterval(() => {}, 1e6)",
    ],
    { stdio: 'ignore', detached: true },
  ),
);

async function measure(name: string, table: ProcessTable): Promise<void> {
  const sampler = createResourceSampler({
    table,
    roots: () => trees.map((t, i) => ({ id: `w${i}`, pid: t.pid! })),
  });
  await sampler.sample(); // warm up (page size, first read)
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let procs = 0;
  for (let i = 0; i < samples; i++) {
    const s = await sampler.sample();
    procs = Object.values(s?.workers ?? {}).reduce((n, w) => n + w.processes, 0);
  }
  const wallMs = (performance.now() - t0) / samples;
  const used = process.cpuUsage(cpu0);
  const cpuMs = (used.user + used.system) / 1000 / samples;
  // `ps` spends its CPU in a child process: count it too (its wall time bounds it from above).
  const costMs = name === 'ps' ? Math.max(cpuMs, wallMs) : cpuMs;
  const share = (costMs / RESOURCE_INTERVAL_MS) * 100;
  console.log(
    `${name.padEnd(6)} ${workers} workers (${procs} processes in their trees): ` +
      `${costMs.toFixed(2)} ms CPU a sample (wall ${wallMs.toFixed(2)} ms) → ` +
      `${share.toFixed(3)} % of one core at one sample every ${RESOURCE_INTERVAL_MS / 1000} s`,
  );
}

try {
  await new Promise((r) => setTimeout(r, 1_000)); // the children start theirs
  if (process.platform === 'linux') await measure('/proc', procTable());
  await measure('ps', psTable());
} finally {
  for (const t of trees) {
    try {
      process.kill(-t.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
