// Run-event files written by workers: `runs/<workerId>/<runId>.ndjson` (contract §3.5).
// A run file can be large and is read often: we keep a
// per-file index of (seq, byte offset) that grows incrementally, read only the bytes asked for,
// and cap every answer.
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isSafeSegment, RunEvent, runOutcomeOf, type RunSummary } from '../../../shared/index.ts';

/** A result event's own figure for how long the run took (the worker's `duration_ms`). */
const ReportedDuration = z.object({ duration_ms: z.number().nonnegative() });

export const MAX_RUNS_LISTED = 50;
export const MAX_EVENTS_PER_READ = 5000;
const MAX_INDEXED_FILES = 16;
const CHUNK = 64 * 1024;
/** A single event line longer than this is skipped rather than held in memory. */
const MAX_LINE_BYTES = 1024 * 1024;
/** How much of a run file's end is read for its outcome (the `result` event is its last line). */
const OUTCOME_TAIL_BYTES = 16 * 1024;
/** A run file with no `result` that changed this recently is still running; older, it was cut short. */
export const RUN_FILE_LIVE_MS = 15 * 60_000;

interface FileIndex {
  size: number;
  mtimeMs: number;
  count: number;
  seqs: Float64Array;
  offsets: Float64Array;
  lengths: Float64Array;
  /** Offset just past the last complete line (a live run may have a partial line at the end). */
  scanned: number;
}

export interface RunEventsReader {
  listRuns(workerId: string): Promise<RunSummary[]>;
  read(
    workerId: string,
    runId: string,
    query: { after?: number; tail?: number },
  ): Promise<RunEvent[]>;
}

/** How much of a run file's start is read for when it began (its first event). */
const START_HEAD_BYTES = 4 * 1024;

type RunFacts = Pick<RunSummary, 'outcome' | 'startedAt' | 'durationMs'>;

/** An event's time as epoch ms (run events carry ISO strings or numbers), or undefined. */
function eventMs(e: RunEvent | null): number | undefined {
  if (!e) return undefined;
  const ms = typeof e.ts === 'number' ? e.ts : Date.parse(e.ts);
  return Number.isFinite(ms) ? Math.trunc(ms) : undefined;
}

/**
 * How the run in `path` went: how it ended (its last complete line), when it began (its first
 * event) and how long it took (the result's `duration_ms`, else first to last event).
 */
async function factsOf(
  path: string,
  size: number,
  updatedAt: number,
  now: number,
): Promise<RunFacts> {
  const fh = await open(path, 'r');
  let first: RunEvent | null;
  let last: RunEvent | null;
  try {
    const head = Buffer.alloc(Math.min(size, START_HEAD_BYTES));
    const h = await fh.read(head, 0, head.length, 0);
    first = parseLine(head.subarray(0, h.bytesRead).toString('utf8').split('\n')[0] ?? '');
    const length = Math.min(size, OUTCOME_TAIL_BYTES);
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, size - length);
    const lines = buf.subarray(0, bytesRead).toString('utf8').trimEnd().split('\n');
    last = parseLine(lines.at(-1) ?? '');
  } finally {
    await fh.close();
  }
  const startedAt = eventMs(first);
  const outcome =
    (last ? runOutcomeOf(last) : null) ??
    (now - updatedAt < RUN_FILE_LIVE_MS ? 'running' : 'cancelled');
  const facts: RunFacts = { outcome };
  if (startedAt !== undefined) facts.startedAt = startedAt;
  if (outcome !== 'running') {
    const reported = ReportedDuration.safeParse(last?.payload);
    const end = eventMs(last);
    if (reported.success) facts.durationMs = Math.round(reported.data.duration_ms);
    else if (startedAt !== undefined && end !== undefined)
      facts.durationMs = Math.max(0, end - startedAt);
  }
  return facts;
}

export function createRunEventsReader(
  runsDir: string,
  now: () => number = Date.now,
): RunEventsReader {
  const indexes = new Map<string, FileIndex>();

  function remember(path: string, idx: FileIndex): void {
    indexes.delete(path);
    indexes.set(path, idx);
    while (indexes.size > MAX_INDEXED_FILES) {
      const oldest = indexes.keys().next().value;
      if (oldest === undefined) break;
      indexes.delete(oldest);
    }
  }

  async function indexFor(path: string): Promise<FileIndex | null> {
    let st;
    try {
      st = await stat(path);
    } catch {
      return null;
    }
    let idx = indexes.get(path);
    // A file that shrank (replaced or truncated) is indexed from scratch.
    if (!idx || st.size < idx.scanned) {
      idx = {
        size: 0,
        mtimeMs: 0,
        count: 0,
        seqs: new Float64Array(64),
        offsets: new Float64Array(64),
        lengths: new Float64Array(64),
        scanned: 0,
      };
    }
    if (st.size > idx.scanned) await extend(path, idx, st.size);
    idx.size = st.size;
    idx.mtimeMs = st.mtimeMs;
    remember(path, idx);
    return idx;
  }

  return {
    async listRuns(workerId) {
      if (!isSafeSegment(workerId)) return [];
      const dir = join(runsDir, workerId);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return [];
      }
      const runs: RunSummary[] = [];
      for (const name of names) {
        if (!name.endsWith('.ndjson')) continue;
        const runId = name.slice(0, -'.ndjson'.length);
        if (!isSafeSegment(runId)) continue;
        try {
          const st = await stat(join(dir, name));
          if (st.isFile()) runs.push({ runId, updatedAt: Math.trunc(st.mtimeMs), bytes: st.size });
        } catch {
          // Removed between readdir and stat.
        }
      }
      runs.sort((a, b) => b.updatedAt - a.updatedAt || (a.runId < b.runId ? 1 : -1));
      const listed = runs.slice(0, MAX_RUNS_LISTED);
      const at = now();
      for (const run of listed) {
        Object.assign(
          run,
          await factsOf(join(dir, `${run.runId}.ndjson`), run.bytes, run.updatedAt, at).catch(
            (): RunFacts => ({ outcome: 'cancelled' }),
          ),
        );
      }
      return listed;
    },

    async read(workerId, runId, query) {
      if (!isSafeSegment(workerId) || !isSafeSegment(runId)) return [];
      const path = join(runsDir, workerId, `${runId}.ndjson`);
      const idx = await indexFor(path);
      if (!idx || idx.count === 0) return [];
      let from: number;
      let to: number;
      if (query.after !== undefined) {
        from = firstAfter(idx, query.after);
        to = Math.min(idx.count, from + MAX_EVENTS_PER_READ);
      } else {
        const tail = Math.min(MAX_EVENTS_PER_READ, Math.max(1, query.tail ?? 500));
        to = idx.count;
        from = Math.max(0, to - tail);
      }
      return readRange(path, idx, from, to);
    },
  };
}

/** Events are appended with increasing seq, so the index is sorted by seq: binary search. */
function firstAfter(idx: FileIndex, after: number): number {
  let lo = 0;
  let hi = idx.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((idx.seqs[mid] ?? 0) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function push(idx: FileIndex, seq: number, offset: number, length: number): void {
  if (idx.count === idx.seqs.length) {
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    idx.seqs = grow(idx.seqs);
    idx.offsets = grow(idx.offsets);
    idx.lengths = grow(idx.lengths);
  }
  // Out-of-order seqs would break the binary search; the contract says seq increases.
  const prev = idx.count > 0 ? (idx.seqs[idx.count - 1] ?? -Infinity) : -Infinity;
  if (seq <= prev) return;
  idx.seqs[idx.count] = seq;
  idx.offsets[idx.count] = offset;
  idx.lengths[idx.count] = length;
  idx.count++;
}

function parseLine(text: string): RunEvent | null {
  if (text.trim() === '') return null;
  try {
    const parsed = RunEvent.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Scan newly appended complete lines, recording the seq and position of each event line. */
async function extend(path: string, idx: FileIndex, size: number): Promise<void> {
  const fh = await open(path, 'r');
  try {
    let pos = idx.scanned;
    let carry = Buffer.alloc(0);
    let carryStart = pos;
    let skipping = false;
    const buf = Buffer.alloc(CHUNK);
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, size - pos), pos);
      if (bytesRead === 0) break;
      let chunk = buf.subarray(0, bytesRead);
      const chunkStart = pos;
      pos += bytesRead;
      let lineStart = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, lineStart)) {
        const part = chunk.subarray(lineStart, nl);
        const start = carry.length > 0 || skipping ? carryStart : chunkStart + lineStart;
        if (!skipping) {
          const line = carry.length > 0 ? Buffer.concat([carry, part]) : part;
          const ev = parseLine(line.toString('utf8'));
          if (ev) push(idx, ev.seq, start, line.length);
        }
        carry = Buffer.alloc(0);
        skipping = false;
        lineStart = nl + 1;
        carryStart = chunkStart + lineStart;
        idx.scanned = chunkStart + lineStart;
      }
      chunk = chunk.subarray(lineStart);
      if (!skipping) {
        carry = carry.length > 0 ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
        if (carry.length > MAX_LINE_BYTES) {
          carry = Buffer.alloc(0);
          skipping = true;
        }
      }
    }
  } finally {
    await fh.close();
  }
}

async function readRange(
  path: string,
  idx: FileIndex,
  from: number,
  to: number,
): Promise<RunEvent[]> {
  if (from >= to) return [];
  const start = idx.offsets[from] ?? 0;
  const last = to - 1;
  const end = (idx.offsets[last] ?? 0) + (idx.lengths[last] ?? 0);
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    await fh.read(buf, 0, buf.length, start);
    const out: RunEvent[] = [];
    for (let i = from; i < to; i++) {
      const off = (idx.offsets[i] ?? 0) - start;
      const ev = parseLine(buf.subarray(off, off + (idx.lengths[i] ?? 0)).toString('utf8'));
      if (ev) out.push(ev);
    }
    return out;
  } finally {
    await fh.close();
  }
}
