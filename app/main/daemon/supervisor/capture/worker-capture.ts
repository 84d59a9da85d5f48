// A worker's stdout and stderr are files, not pipes into the daemon: `logs/capture/<id>.out` and
// `.err`, opened O_APPEND by the daemon and handed to the child as fds 1 and 2. The worker holds
// them, so when the daemon dies, restarts or upgrades itself the worker writes on (a broken pipe
// would kill a plain Node CLI at its next line). The daemon tails them into the worker's log
// (ring, rotated log file, live frames) and saves where it stopped in `<id>.cursor.json`, so a
// restarted daemon resumes there: lines are delivered at least once (after a crash, those read
// in the last second before it may come twice), never skipped unless the backlog passed its cap.
//
// Space is given back without taking the file away from the running worker:
// - Linux: `fallocate --punch-hole` over the bytes already read. Size and offsets stay valid,
//   the blocks are freed, the writer sees nothing: no line can be lost.
// - elsewhere, or where punching fails (a file system without it): the file is truncated in
//   place once everything in it has been read. The worker appends O_APPEND, so its next line
//   lands at offset 0, with no hole. Loss window: what the worker writes between our last read
//   reaching the end and the truncate, two system calls apart in one tick (microseconds).
// - between two processes of a worker (no writer at all) the files are emptied, losing nothing.
import { execFile } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { errorMessage, isSafeSegment, type LogStream } from '../../../../shared/index.ts';
import type { WorkerLog } from '../logs/index.ts';
import { TailedFile, type FileCursor } from './tailed-file.ts';

const CursorFile = z.object({
  version: z.literal(1),
  out: z.object({ id: z.string().min(1), offset: z.number().int().nonnegative() }).nullable(),
  err: z.object({ id: z.string().min(1), offset: z.number().int().nonnegative() }).nullable(),
});
type CursorFile = z.infer<typeof CursorFile>;

export type PunchHole = (file: string, offset: number, length: number) => Promise<void>;

/** `fallocate --punch-hole` (util-linux), bounded in time. */
export const fallocatePunchHole: PunchHole = (file, offset, length) =>
  new Promise((resolve, reject) => {
    execFile(
      'fallocate',
      ['--punch-hole', '--offset', String(offset), '--length', String(length), file],
      { timeout: 10_000 },
      (err) => (err ? reject(err) : resolve()),
    );
  });

export interface CaptureLimits {
  /** Bytes read from a file before its space is given back (default 4 MiB). */
  reclaimBytes: number;
  /** After a long absence only the newest this many bytes of a file are read (default 8 MiB). */
  maxBacklogBytes: number;
  /** Bytes read per file per turn of the event loop (default 1 MiB). */
  pumpBytes: number;
  /** How soon after new bytes the cursor is saved (default 1 s). */
  cursorDelayMs: number;
}

export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = {
  reclaimBytes: 4 * 1024 * 1024,
  maxBacklogBytes: 8 * 1024 * 1024,
  pumpBytes: 1024 * 1024,
  cursorDelayMs: 1000,
};

export interface CaptureStats {
  bytesRead: number;
  bytesSkipped: number;
  reclaims: number;
  /** How space is given back now: punch (Linux) or truncate. */
  reclaimMode: 'punch' | 'truncate';
}

/** Told what the capture read and skipped, as it happens (the daemon's metrics). */
export interface CaptureCounters {
  output(workerId: string, stream: LogStream, bytes: number, lines: number): void;
  skipped(workerId: string, bytes: number): void;
}

/** Line ends in a chunk (what a line count needs without splitting). */
function countLines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}

export interface WorkerCaptureOptions {
  workerId: string;
  dir: string;
  log: WorkerLog;
  platform: NodeJS.Platform;
  limits?: Partial<CaptureLimits>;
  punchHole?: PunchHole;
  onError?: (err: unknown) => void;
  onClose?: () => void;
  /**
   * Who runs the reads: the capture hub's turnScheduler, one budget per turn shared by every
   * worker, so log relaying yields to requests. A read never exceeds pumpBytes per file.
   */
  scheduler: PumpScheduler;
  counters?: CaptureCounters;
}

/**
 * Runs queued reads: `pump(budget)` reads at most `budget` bytes of a worker's files and returns
 * how many it read; a worker with more to read queues itself again.
 */
export interface PumpScheduler {
  request(pump: (budget: number) => number): void;
}

export interface SpawnStdio {
  /** For child_process.spawn: [stdin, stdout, stderr]. */
  stdio: ['ignore', number | 'ignore', number | 'ignore'];
  /** Close the daemon's copies once the child holds its own. */
  release(): void;
}

/** Where a worker's output goes and how the daemon reads it back (see WorkerCapture). */
export interface OutputCapture {
  openForSpawn(): SpawnStdio;
  follow(): void;
  poke(): void;
  finish(): void;
  close(): void;
  stats(): CaptureStats;
}

/** Output thrown away: for tests that inject processes that print nothing. */
export const discardOutput = (): OutputCapture => ({
  openForSpawn: () => ({ stdio: ['ignore', 'ignore', 'ignore'], release: () => undefined }),
  follow: () => undefined,
  poke: () => undefined,
  finish: () => undefined,
  close: () => undefined,
  stats: () => ({ bytesRead: 0, bytesSkipped: 0, reclaims: 0, reclaimMode: 'truncate' }),
});

const BLOCK = 4096;

export class WorkerCapture implements OutputCapture {
  readonly workerId: string;
  readonly #o: WorkerCaptureOptions;
  readonly #limits: CaptureLimits;
  readonly #files: Record<LogStream, TailedFile>;
  readonly #reclaimedTo: Record<LogStream, number> = { out: 0, err: 0 };
  readonly #punching: Record<LogStream, boolean> = { out: false, err: false };
  readonly #cursorPath: string;
  #following = false;
  #closed = false;
  #pumpQueued = false;
  #cursorTimer: ReturnType<typeof setTimeout> | null = null;
  // Stryker disable next-line StringLiteral: any non-JSON start value differs from every cursor alike
  #savedCursor = '';
  readonly #stats: CaptureStats;

  constructor(o: WorkerCaptureOptions) {
    // The id names files: nothing may lead out of the capture folder.
    if (!isSafeSegment(o.workerId))
      throw new Error(`worker id ${JSON.stringify(o.workerId.slice(0, 80))} cannot name a file`);
    this.workerId = o.workerId;
    this.#o = o;
    this.#limits = { ...DEFAULT_CAPTURE_LIMITS, ...o.limits };
    this.#stats = {
      bytesRead: 0,
      bytesSkipped: 0,
      reclaims: 0,
      reclaimMode: o.platform === 'linux' ? 'punch' : 'truncate',
    };
    this.#cursorPath = join(o.dir, `${o.workerId}.cursor.json`);
    const saved = this.#readCursor();
    const file = (stream: LogStream, resume: FileCursor | null): TailedFile =>
      new TailedFile(
        {
          path: join(o.dir, `${o.workerId}.${stream}`),
          maxBacklogBytes: this.#limits.maxBacklogBytes,
          onData: (chunk) => {
            this.#stats.bytesRead += chunk.length;
            o.counters?.output(o.workerId, stream, chunk.length, countLines(chunk));
            o.log.push(stream, chunk);
          },
          onSkip: (bytes, why) => {
            this.#stats.bytesSkipped += bytes;
            o.counters?.skipped(o.workerId, bytes);
            const what =
              why === 'backlog'
                ? `${bytes} bytes of older output skipped (more than ${this.#limits.maxBacklogBytes} waiting)`
                : 'the output file was truncated by someone else; reading from its start';
            o.log.push('err', Buffer.from(`\n[orchestrator] ${what}\n`));
          },
        },
        resume,
      );
    this.#files = { out: file('out', saved?.out ?? null), err: file('err', saved?.err ?? null) };
  }

  /** The files a new process writes to. Reads and empties what a previous process left first. */
  openForSpawn(): SpawnStdio {
    mkdirSync(this.#o.dir, { recursive: true, mode: 0o700 });
    const fds: number[] = [];
    try {
      for (const stream of ['out', 'err'] as const) {
        const f = this.#files[stream];
        // No writer now: whatever is left is read, then the file starts empty at no loss.
        if (f.reopen()) {
          this.#drainFile(stream);
          if (f.offset > 0) f.truncate();
        }
        this.#reclaimedTo[stream] = 0;
        const fd = openSync(f.path, 'a', 0o600);
        fds.push(fd);
        try {
          chmodSync(f.path, 0o600);
        } catch {
          // Windows
        }
        f.reopen();
      }
    } catch (e) {
      for (const fd of fds) closeQuietly(fd);
      throw e;
    }
    this.#o.log.flushPartial();
    const [out, err] = fds as [number, number];
    return { stdio: ['ignore', out, err], release: () => fds.forEach(closeQuietly) };
  }

  /** Tail the files (after a spawn, or adopting a process a previous daemon left). */
  follow(): void {
    // Stryker disable next-line ConditionalExpression: poke refuses a closed capture too
    if (this.#closed) return;
    this.#following = true;
    this.poke();
  }

  /** New bytes may be there (the watcher or the poll says so): read them soon. */
  poke(): void {
    if (!this.#following || this.#pumpQueued || this.#closed) return;
    this.#pumpQueued = true;
    this.#o.scheduler.request(this.#scheduledPump);
  }

  readonly #scheduledPump = (budget: number): number => {
    this.#pumpQueued = false;
    return this.#pump(Math.min(budget, this.#limits.pumpBytes));
  };

  /** The process is gone: read what it left, end its last unterminated lines, save the cursor. */
  finish(): void {
    this.#following = false;
    if (this.#closed) return;
    this.#drainFile('out');
    this.#drainFile('err');
    this.#o.log.flushPartial();
    this.#saveCursorSoon();
  }

  stats(): CaptureStats {
    return { ...this.#stats };
  }

  /** Read what is there, save the cursor and stop (shutdown, or the hand-off to a new daemon). */
  close(): void {
    if (this.#closed) return;
    if (this.#following) {
      this.#drainFile('out');
      this.#drainFile('err');
    }
    this.#closed = true;
    // Stryker disable next-line BooleanLiteral: every read checks #closed first
    this.#following = false;
    // Stryker disable next-line ConditionalExpression,EqualityOperator,CallExpression: a save that fires after close writes nothing (it checks #closed), and its timer is unref'd
    if (this.#cursorTimer !== null) clearTimeout(this.#cursorTimer);
    this.#cursorTimer = null;
    this.#writeCursor();
    this.#files.out.close();
    this.#files.err.close();
    this.#o.onClose?.();
  }

  /** Reads at most `budget` bytes per file; returns the bytes read. */
  #pump(budget: number): number {
    if (!this.#following || this.#closed) return 0;
    let more = false;
    let read = 0;
    for (const stream of ['out', 'err'] as const) {
      try {
        const n = this.#files[stream].pump(budget);
        read += n;
        if (n >= budget) more = true;
        this.#maybeReclaim(stream);
      } catch (e) {
        this.#o.onError?.(e);
      }
    }
    if (read > 0) this.#saveCursorSoon();
    if (more) this.poke(); // the rest on a later turn: a flood must not block the daemon
    return read;
  }

  #drainFile(stream: LogStream): void {
    try {
      while (this.#files[stream].pump(this.#limits.pumpBytes) > 0);
    } catch (e) {
      this.#o.onError?.(e);
    }
  }

  #maybeReclaim(stream: LogStream): void {
    const f = this.#files[stream];
    if (f.offset - this.#reclaimedTo[stream] < this.#limits.reclaimBytes) return;
    if (this.#stats.reclaimMode === 'truncate') {
      if (!f.atEnd()) return; // only once everything written has been read
      f.truncate();
      this.#reclaimedTo[stream] = 0;
      this.#stats.reclaims++;
      return;
    }
    if (this.#punching[stream]) return;
    const from = this.#reclaimedTo[stream];
    const to = Math.floor(f.offset / BLOCK) * BLOCK;
    if (to <= from) return;
    this.#punching[stream] = true;
    const punch = this.#o.punchHole ?? fallocatePunchHole;
    punch(f.procPath(this.#o.platform), from, to - from).then(
      () => {
        this.#punching[stream] = false;
        this.#reclaimedTo[stream] = to;
        this.#stats.reclaims++;
      },
      (e: unknown) => {
        // No fallocate, or a file system without punch-hole: truncate from now on.
        // Stryker disable next-line BooleanLiteral: truncate mode never looks at #punching
        this.#punching[stream] = false;
        this.#stats.reclaimMode = 'truncate';
        this.#o.onError?.(
          new Error(
            `worker ${this.workerId}: cannot punch holes in its output files (${errorMessage(e)}); truncating them once read instead`,
          ),
        );
      },
    );
  }

  #saveCursorSoon(): void {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: a second pending save writes the same, current cursor (skipped as unchanged), and a closed capture's save writes nothing
    if (this.#cursorTimer !== null || this.#closed) return;
    this.#cursorTimer = setTimeout(() => {
      this.#cursorTimer = null;
      // Saved once the lines read so far are in the log file: a crash repeats, never skips.
      const cursor = this.#cursorJson();
      void this.#o.log.flushed().then(() => {
        if (!this.#closed) this.#writeCursor(cursor);
      });
    }, this.#limits.cursorDelayMs);
    this.#cursorTimer.unref();
  }

  #cursorJson(): string {
    const c: CursorFile = {
      version: 1,
      out: this.#files.out.cursor(),
      err: this.#files.err.cursor(),
    };
    return JSON.stringify(c);
  }

  #writeCursor(json = this.#cursorJson()): void {
    if (json === this.#savedCursor) return;
    try {
      mkdirSync(this.#o.dir, { recursive: true, mode: 0o700 });
      const tmp = `${this.#cursorPath}.${process.pid}.tmp`;
      writeFileSync(tmp, json, { mode: 0o600 });
      renameSync(tmp, this.#cursorPath);
      this.#savedCursor = json;
    } catch (e) {
      this.#o.onError?.(e);
    }
  }

  #readCursor(): CursorFile | null {
    let text: string;
    try {
      text = readFileSync(this.#cursorPath, 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = CursorFile.safeParse(JSON.parse(text));
      if (parsed.success) {
        this.#savedCursor = text;
        return parsed.data;
      }
    } catch {
      // fall through
    }
    this.#o.onError?.(new Error(`${this.#cursorPath}: not a cursor file; reading from the start`));
    return null;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
