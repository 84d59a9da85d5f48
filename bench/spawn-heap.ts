// `node bench/spawn-heap.ts`: does spawning 20 workers from a big process stall its event loop?
// The desktop main process holds about 150 MiB of heap; fork/spawn copies page tables (or uses
// vfork-like paths), so the cost could grow with the heap. This spawns 20 short-lived Node
// children from this process with a small heap and again with ~150 MiB of live objects, and
// reports the time spent inside spawn() (the loop is blocked for it: all 20 in one turn, and the
// longest single call) and until every child has spawned. Prints a table; --json FILE writes it.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const CHILDREN = 20;
const ROUNDS = 5;

interface Sample {
  heapMiB: number;
  rssMiB: number;
  /** Sum of the synchronous spawn() calls: the event loop is blocked this long. */
  blockedMs: number;
  /** First spawn() to the last child's 'spawn' event. */
  allSpawnedMs: number;
  /** The longest single spawn() call: the stall when spawns are spread one per turn. */
  maxOneMs: number;
}

/** Keeps roughly `mib` MiB of small live objects, as a real main process's heap holds. */
function ballast(mib: number): unknown[] {
  const out: unknown[] = [];
  const perObject = 100; // bytes, about: a small object with a short string
  for (let i = 0; i < (mib * 1024 * 1024) / perObject; i++)
    out.push({ i, s: `ballast ${i}`, next: null });
  return out;
}

async function spawnFleet(): Promise<Omit<Sample, 'heapMiB' | 'rssMiB'>> {
  const children: ChildProcess[] = [];
  const t0 = performance.now();
  let blocked = 0;
  let maxOne = 0;
  const spawned: Promise<void>[] = [];
  for (let i = 0; i < CHILDREN; i++) {
    const s = performance.now();
    const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 3000)'], { stdio: 'ignore' });
    const took = performance.now() - s;
    blocked += took;
    maxOne = Math.max(maxOne, took);
    children.push(c);
    spawned.push(new Promise((resolve, reject) => c.once('spawn', resolve).once('error', reject)));
  }
  await Promise.all(spawned);
  const allSpawnedMs = performance.now() - t0;
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
  return { blockedMs: blocked, allSpawnedMs, maxOneMs: maxOne };
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function measure(): Promise<Sample> {
  const runs = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(await spawnFleet());
  const mem = process.memoryUsage();
  return {
    heapMiB: mem.heapUsed / 1048576,
    rssMiB: mem.rss / 1048576,
    blockedMs: median(runs.map((r) => r.blockedMs)),
    allSpawnedMs: median(runs.map((r) => r.allSpawnedMs)),
    maxOneMs: median(runs.map((r) => r.maxOneMs)),
  };
}

const { values } = parseArgs({ options: { json: { type: 'string' } }, strict: true });
const small = await measure();
const kept = ballast(150);
const big = await measure();
const rows = [
  { name: 'small heap', ...small },
  { name: '~150 MiB heap', ...big },
];
console.log(
  `spawn ${CHILDREN} Node children, median of ${ROUNDS} (${kept.length} ballast objects)\n`,
);
console.log('heap     rss      blocked in spawn()  until all spawned  longest spawn()');
for (const r of rows)
  console.log(
    `${r.heapMiB.toFixed(0).padStart(4)} MiB ${r.rssMiB.toFixed(0).padStart(4)} MiB ` +
      `${r.blockedMs.toFixed(1).padStart(12)} ms ${r.allSpawnedMs.toFixed(1).padStart(15)} ms ` +
      `${r.maxOneMs.toFixed(1).padStart(13)} ms`,
  );
if (values.json) writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
