// Bounded capture of one supervised worker's output (contract §5.5): lines split per stream,
// kept in a ring, teed to a rotating file (§4.6) and handed to the doors. Memory per worker is
// bounded by ringSize lines of at most maxLineBytes, two partial lines, and maxPendingFileBytes.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { z } from 'zod';
import type { LogLine, LogStream } from '../../../../shared/index.ts';
import { describeZodError, scrubTokens } from '../../../../shared/index.ts';
import { LineSplitter } from './line-splitter.ts';
import { Ring } from './ring.ts';
import { RotatingFile } from './rotating-file.ts';
import type { DropReason, FileOps } from './rotating-file.ts';

export type { DropReason, FileOps, LogFileHandle } from './rotating-file.ts';
export { nodeFileOps } from './rotating-file.ts';

export interface WorkerLogStats {
  linesCaptured: number;
  linesCut: number;
  bytesDiscarded: number;
  fileLinesDropped: number;
  fileErrors: number;
  rotations: number;
}

export interface WorkerLog {
  /** Feed a raw chunk from the child's stdout ('out') or stderr ('err'). Never throws. */
  push(stream: LogStream, chunk: Buffer): void;
  /** The child exited: flush each stream's unterminated tail as a line. */
  flushPartial(): void;
  /** Last n lines of the ring (all when n is undefined), oldest first. */
  tail(n?: number): LogLine[];
  stats(): WorkerLogStats;
  /** Resolves once every line captured so far is in the log file (or given up on). */
  flushed(): Promise<void>;
  /** Close the file (worker removed / daemon shutdown). Further pushes only reach the ring. */
  close(): Promise<void>;
}

export interface WorkerLogOptions {
  workerId: string;
  /** logs/<workerId>.log, or null for no file tee. */
  file: string | null;
  /** Emit to the doors (log event); must not block. A throw is ignored. */
  onLine?: (line: LogLine) => void;
  ringSize?: number;
  maxLineBytes?: number;
  rotateBytes?: number;
  /** Bound on bytes queued for the file while the disk is slow. */
  maxPendingFileBytes?: number;
  now?: () => number;
  /** Fill the ring with the newest lines of the log file first (a restarted daemon). */
  restore?: boolean;
  /** Injectable fs for fault tests (default node:fs/promises based). */
  fs?: FileOps;
  /** Backoff between attempts to reopen a failing file: first delay, doubling up to the max. */
  fileRetryMinMs?: number;
  fileRetryMaxMs?: number;
}

// Room for a record's prefix (`<ISO time> err `) and newline, or a drop marker.
const RECORD_OVERHEAD = 256;

const Limits = z
  .object({
    ringSize: z.number().int().min(1).default(500),
    maxLineBytes: z.number().int().min(4).default(8192),
    rotateBytes: z
      .number()
      .int()
      .min(1024)
      .default(5 * 1024 * 1024),
    maxPendingFileBytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    fileRetryMinMs: z.number().int().min(1).default(1000),
    fileRetryMaxMs: z.number().int().min(1).default(8000),
  })
  .refine((o) => o.rotateBytes >= o.maxLineBytes + RECORD_OVERHEAD, {
    message: 'must hold at least one full line',
    path: ['rotateBytes'],
  })
  .refine((o) => o.maxPendingFileBytes >= o.maxLineBytes + RECORD_OVERHEAD, {
    message: 'must hold at least one full line',
    path: ['maxPendingFileBytes'],
  });

let isoCache = { ts: NaN, iso: '' }; // lines come in bursts within one millisecond

/** One line of logs/<workerId>.log (§4.6): `<ISO time> <out|err> <text>`. */
export function formatLogRecord(line: LogLine): string {
  if (line.ts !== isoCache.ts) isoCache = { ts: line.ts, iso: new Date(line.ts).toISOString() };
  return `${isoCache.iso} ${line.stream} ${line.line}\n`;
}

/** Stands in the file for lines it could not take. */
export function dropMarkerText(count: number, reason: DropReason): string {
  return `… ${count} ${count === 1 ? 'line' : 'lines'} dropped (${reason})`;
}

export function createWorkerLog(options: WorkerLogOptions): WorkerLog {
  const parsed = Limits.safeParse({
    ringSize: options.ringSize,
    maxLineBytes: options.maxLineBytes,
    rotateBytes: options.rotateBytes,
    maxPendingFileBytes: options.maxPendingFileBytes,
    fileRetryMinMs: options.fileRetryMinMs,
    fileRetryMaxMs: options.fileRetryMaxMs,
  });
  if (!parsed.success) {
    throw new RangeError(`worker log ${options.workerId}: ${describeZodError(parsed.error)}`);
  }
  const limits = parsed.data;
  const now = options.now ?? Date.now;
  const ring = new Ring<LogLine>(limits.ringSize);
  let captured = 0;
  if (options.restore && options.file) {
    for (const line of readLogTail(options.file, limits.ringSize)) ring.push(line);
  }

  // The marker is a record of its own so the file stays in the §4.6 line format.
  const file = options.file
    ? new RotatingFile({
        file: options.file,
        rotateBytes: limits.rotateBytes,
        maxPendingBytes: limits.maxPendingFileBytes,
        retryMinMs: limits.fileRetryMinMs,
        retryMaxMs: limits.fileRetryMaxMs,
        dropMarker: (count, reason) =>
          formatLogRecord({ ts: now(), stream: 'err', line: dropMarkerText(count, reason) }),
        ...(options.fs ? { fs: options.fs } : {}),
      })
    : null;

  const emitter =
    (stream: LogStream) =>
    (text: string): void => {
      // Belt and braces: a token a worker prints never reaches the ring, the file or a door.
      const line: LogLine = { ts: now(), stream, line: scrubTokens(text) };
      captured++;
      ring.push(line);
      file?.write(formatLogRecord(line)); // ignored once closed
      try {
        options.onLine?.(line);
      } catch {
        // A consumer's bug must not stop capture.
      }
    };
  const splitters: Record<LogStream, LineSplitter> = {
    out: new LineSplitter(limits.maxLineBytes, emitter('out')),
    err: new LineSplitter(limits.maxLineBytes, emitter('err')),
  };

  return {
    push(stream, chunk) {
      splitters[stream]?.push(chunk);
    },
    flushPartial() {
      splitters.out.flush();
      splitters.err.flush();
    },
    tail: (n) => ring.last(n),
    stats() {
      const f = file?.stats();
      return {
        linesCaptured: captured,
        linesCut: splitters.out.linesCut + splitters.err.linesCut,
        bytesDiscarded: splitters.out.bytesDiscarded + splitters.err.bytesDiscarded,
        fileLinesDropped: f?.linesDropped ?? 0,
        fileErrors: f?.errors ?? 0,
        rotations: f?.rotations ?? 0,
      };
    },
    flushed: async () => file?.idle(),
    close: async () => file?.close(),
  };
}

const RECORD = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (out|err) (.*)$/;
/** How much of the end of a log file is read to restore the ring. */
const RESTORE_BYTES = 1024 * 1024;

/** The newest `max` records of a log file (§4.6 format); [] when it cannot be read. */
export function readLogTail(file: string, max: number): LogLine[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, RESTORE_BYTES);
    const buf = Buffer.allocUnsafe(len);
    const n = readSync(fd, buf, 0, len, size - len);
    const lines = buf.subarray(0, n).toString('utf8').split('\n');
    if (len < size) lines.shift(); // the first one is cut
    const out: LogLine[] = [];
    for (const text of lines.slice(-max - 1)) {
      const m = RECORD.exec(text);
      if (!m) continue;
      out.push({ ts: Date.parse(m[1] as string), stream: m[2] as LogStream, line: m[3] as string });
    }
    return out.slice(-max);
  } catch {
    return [];
  } finally {
    closeSync(fd);
  }
}
