// What the bench reads off a running process (Linux /proc) and the small statistics it reports.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const KIB_PER_MIB = 1024;

let clockTicks: number | null = null;
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat. */
function ticksPerSecond(): number {
  if (clockTicks === null) {
    const raw = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    clockTicks = Number.isInteger(raw) && raw > 0 ? raw : 100;
  }
  return clockTicks;
}

/** Fields of /proc/<pid>/stat after the `(comm)` (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** VmRSS in KiB (resident memory of this process only), or null when it is gone. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * CPU time of the process in seconds: the on-CPU time of each of its threads from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds; utime + stime in /proc/<pid>/stat count 10 ms
 * ticks, too coarse for a quiet daemon over a short window). Falls back to utime + stime where
 * schedstat is missing.
 */
export function cpuSeconds(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended while we looked
      }
    }
    if (ns > 0) return ns / 1e9;
  } catch {
    // no schedstat here
  }
  const f = statFields(pid);
  if (!f) throw new Error(`process ${pid} is gone`);
  // After the comm: state=0, ppid=1, …, utime=11, stime=12.
  return (Number(f[11]) + Number(f[12])) / ticksPerSecond();
}

/** Every live descendant of pid (children, grandchildren…), from one /proc scan. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

/** RSS of pid plus all its descendants (shared pages counted once per process). */
export function treeRssKiB(pid: number): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + (rssKiB(p) ?? 0), 0);
}

export const toMiB = (kib: number): number => kib / KIB_PER_MIB;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Median of several RSS reads spaced over `spanMs`: one read can land on a GC spike. */
export async function steadyRssKiB(
  read: () => number | null,
  samples = 5,
  spanMs = 1000,
): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < samples; i++) {
    const v = read();
    if (v === null) throw new Error('process exited while its memory was being read');
    values.push(v);
    if (i < samples - 1) await sleep(spanMs / (samples - 1));
  }
  return median(values);
}

/** Samples a process's RSS on a timer until stopped: peak, first and last reading. */
export function sampleRss(pid: number, everyMs = 200): () => RssTrace {
  const first = rssKiB(pid) ?? 0;
  let peak = first;
  let last = first;
  const timer = setInterval(() => {
    const v = rssKiB(pid);
    if (v === null) return;
    last = v;
    if (v > peak) peak = v;
  }, everyMs);
  return () => {
    clearInterval(timer);
    const v = rssKiB(pid);
    if (v !== null) {
      last = v;
      if (v > peak) peak = v;
    }
    return { firstKiB: first, lastKiB: last, peakKiB: peak };
  };
}

export interface RssTrace {
  firstKiB: number;
  lastKiB: number;
  peakKiB: number;
}

/** Polls `probe` until it yields a value; throws naming `what` after timeoutMs. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  opts: { timeoutMs: number; everyMs: number },
): Promise<T> {
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline)
      throw new Error(`timed out after ${opts.timeoutMs} ms: ${what}`);
    await sleep(opts.everyMs);
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1]!;
}
