// One sampler for every worker: each tick reads the host's process table once and sums, for each
// running worker (spawned or adopted: it goes by pid, not by a child handle), the CPU and resident
// memory of its whole process tree, where the runs happen. Bounded: one table read per tick, only
// while a worker runs, and ten minutes of samples kept.
import type { ResourceSample, ResourcesView, ResourceUse } from '../../../shared/index.ts';
import { ResourcesUnavailable, type ProcessRow, type ProcessTable } from './process-table.ts';

export const RESOURCE_INTERVAL_MS = 5_000;
export const RESOURCE_WINDOW_MS = 10 * 60_000;

export interface ResourceSamplerOptions {
  table: ProcessTable;
  /** The workers with a live process now, by the pid at the root of their tree. */
  roots: () => ReadonlyArray<{ id: string; pid: number }>;
  intervalMs?: number;
  windowMs?: number;
  now?: () => number;
  onSample?: (sample: ResourceSample) => void;
  onError?: (e: unknown) => void;
}

export interface ResourceSampler {
  start(): void;
  stop(): void;
  /** Sample now (the timer calls this); null when no worker runs or nothing can be read. */
  sample(): Promise<ResourceSample | null>;
  /** A worker's latest figures, while it runs and the sample is fresh. */
  latest(id: string): ResourceUse | null;
  view(): ResourcesView;
}

/** The pids of `root`'s tree in `children` (root first), each once. */
export function treeOf(root: number, children: ReadonlyMap<number, number[]>): number[] {
  const seen = new Set<number>([root]);
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const child of children.get(queue[i] as number) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      queue.push(child);
    }
  }
  return queue;
}

export function createResourceSampler(o: ResourceSamplerOptions): ResourceSampler {
  const intervalMs = o.intervalMs ?? RESOURCE_INTERVAL_MS;
  const windowMs = o.windowMs ?? RESOURCE_WINDOW_MS;
  const now = o.now ?? Date.now;
  const maxSamples = Math.ceil(windowMs / intervalMs) + 1;
  const samples: ResourceSample[] = [];
  /** Per worker: its root pid and tree CPU time at the previous tick, for the rate. */
  const previous = new Map<string, { pid: number; cpuMs: number; at: number }>();
  let unavailable: string | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let inFlight: Promise<ResourceSample | null> | null = null;

  async function take(): Promise<ResourceSample | null> {
    const roots = o.roots();
    if (roots.length === 0) {
      previous.clear();
      return null;
    }
    let rows: ProcessRow[];
    try {
      rows = await o.table();
      unavailable = null;
    } catch (e) {
      if (!(e instanceof ResourcesUnavailable)) throw e;
      unavailable = e.message;
      previous.clear();
      return null;
    }
    const at = now();
    const byPid = new Map<number, ProcessRow>();
    const children = new Map<number, number[]>();
    for (const r of rows) {
      byPid.set(r.pid, r);
      const list = children.get(r.ppid);
      if (list) list.push(r.pid);
      else children.set(r.ppid, [r.pid]);
    }
    const workers: Record<string, ResourceUse> = {};
    let cpuTotal = 0;
    let rssTotal = 0;
    const seen = new Set<string>();
    for (const { id, pid } of roots) {
      if (!byPid.has(pid)) continue;
      seen.add(id);
      let cpuMs = 0;
      let rssBytes = 0;
      const tree = treeOf(pid, children);
      for (const p of tree) {
        const row = byPid.get(p);
        if (!row) continue;
        cpuMs += row.cpuMs;
        rssBytes += row.rssBytes;
      }
      const prev = previous.get(id);
      const cpuPercent =
        prev && prev.pid === pid && at > prev.at
          ? Math.max(0, ((cpuMs - prev.cpuMs) / (at - prev.at)) * 100)
          : 0;
      previous.set(id, { pid, cpuMs, at });
      const use = { cpuPercent: round1(cpuPercent), rssBytes, processes: tree.length, at };
      workers[id] = use;
      cpuTotal += use.cpuPercent;
      rssTotal += rssBytes;
    }
    for (const id of previous.keys()) if (!seen.has(id)) previous.delete(id);
    const sample: ResourceSample = {
      at,
      totals: { cpuPercent: round1(cpuTotal), rssBytes: rssTotal },
      workers,
    };
    samples.push(sample);
    while (samples.length > maxSamples || (samples[0] && samples[0].at < at - windowMs))
      samples.shift();
    o.onSample?.(sample);
    return sample;
  }

  const sample = (): Promise<ResourceSample | null> => {
    // One read at a time: a slow `ps` is never stacked behind another.
    inFlight ??= take().finally(() => (inFlight = null));
    return inFlight;
  };

  return {
    start() {
      if (timer) return;
      void sample().catch((e: unknown) => o.onError?.(e));
      timer = setInterval(() => void sample().catch((e: unknown) => o.onError?.(e)), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    sample,
    latest(id) {
      const last = samples.at(-1);
      if (!last || now() - last.at > 3 * intervalMs) return null;
      return last.workers[id] ?? null;
    },
    view() {
      const cutoff = now() - windowMs;
      return {
        available: unavailable === null,
        ...(unavailable !== null ? { reason: unavailable } : {}),
        intervalMs,
        windowMs,
        samples: samples.filter((s) => s.at >= cutoff),
      };
    },
  };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
