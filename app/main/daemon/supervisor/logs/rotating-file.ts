// Appends records to a size-rotated file without ever blocking or throwing to the producer
// (contract §4.6; §12 "Bounded resources"). The live file never exceeds `rotateBytes` (the
// count starts from the file's size on open, not from 0); at most
// `maxPendingBytes` wait for a slow disk, beyond that whole records are dropped and counted and
// a marker takes their place; a failing disk is retried with capped backoff.
import { chmod, mkdir, open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LogFileHandle {
  /** Append all of `data`. */
  append(data: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** The file-system calls the writer makes; injectable so tests can make the disk fail or stall. */
export interface FileOps {
  /** Create `dir` (recursively) with mode 0700 and tighten an existing one to 0700. */
  ensureDir(dir: string): Promise<void>;
  /** Open for appending, created 0600 (an existing file is tightened to 0600); with its size. */
  openAppend(file: string): Promise<{ handle: LogFileHandle; size: number }>;
  rename(from: string, to: string): Promise<void>;
  /**
   * Identity (device and inode) of the regular file at `file`; null when the path is missing or
   * names something else (a folder), so a file replaced under an open handle is noticed.
   */
  fileId(file: string): Promise<string | null>;
}

const ignore = (): undefined => undefined; // chmod is unsupported on some platforms (Windows)

export const nodeFileOps: FileOps = {
  async ensureDir(dir) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700).catch(ignore);
  },
  async openAppend(file) {
    const fh = await open(file, 'a', 0o600);
    try {
      await fh.chmod(0o600).catch(ignore);
      const { size } = await fh.stat();
      return {
        size,
        handle: { append: (data) => fh.appendFile(data), close: () => fh.close() },
      };
    } catch (e) {
      await fh.close().catch(ignore);
      throw e;
    }
  },
  rename: (from, to) => rename(from, to),
  fileId: (file) =>
    stat(file, { bigint: true }).then(
      (s) => (s.isFile() ? `${s.dev}:${s.ino}` : null),
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
        throw e;
      },
    ),
};

export type DropReason = 'disk slow' | 'file error';

export interface RotatingFileOptions {
  file: string;
  rotateBytes: number;
  maxPendingBytes: number;
  /** The record written where `count` records were lost. */
  dropMarker: (count: number, reason: DropReason) => string;
  fs?: FileOps;
  /** First retry delay after a file error; doubles up to retryMaxMs. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How often an open file is checked to still exist (POSIX writes to a deleted file succeed). */
  recheckMs?: number;
  /** How long close() waits for queued records before giving up on them. */
  closeTimeoutMs?: number;
}

export interface RotatingFileStats {
  linesDropped: number;
  errors: number;
  rotations: number;
  /** Bytes queued or being written. */
  pendingBytes: number;
}

interface QueuedRecord {
  text: string;
  bytes: number;
  /** 1 for a record; for a marker, how many records it stands for. */
  lines: number;
  marker: boolean;
}

export class RotatingFile {
  readonly #o: Required<RotatingFileOptions>;
  #queue: QueuedRecord[] = [];
  #pendingBytes = 0;
  #handle: LogFileHandle | null = null;
  /** fileId of the path when the handle was opened. */
  #handleId: string | null = null;
  #size = 0;
  #lastCheck = 0;
  #pump: Promise<void> | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #retryDelay = 0;
  #failing = false;
  #droppedAtTail = 0; // refused since the last accepted record; their marker precedes the next one
  #tailReason: DropReason = 'disk slow';
  #closing: Promise<void> | null = null;
  #stopped = false;
  readonly #stats = { linesDropped: 0, errors: 0, rotations: 0 };

  constructor(options: RotatingFileOptions) {
    this.#o = {
      fs: nodeFileOps,
      retryMinMs: 1000,
      retryMaxMs: 8000,
      recheckMs: 1000,
      closeTimeoutMs: 2000,
      ...options,
    };
  }

  stats(): RotatingFileStats {
    return { ...this.#stats, pendingBytes: this.#pendingBytes };
  }

  /** Queue one newline-terminated record. Never throws, never waits. */
  write(text: string): void {
    if (this.#closing) return;
    const bytes = Buffer.byteLength(text);
    if (this.#pendingBytes + bytes > this.#o.maxPendingBytes) {
      this.#droppedAtTail++;
      this.#stats.linesDropped++;
      this.#tailReason = this.#failing ? 'file error' : 'disk slow';
      return;
    }
    this.#flushTailMarker();
    this.#enqueue({ text, bytes, lines: 1, marker: false });
    this.#kick();
  }

  /** Resolves once no write is in progress (the queue is written, or waits for a retry). */
  async idle(): Promise<void> {
    while (this.#pump) await this.#pump;
  }

  /** Write what is queued (waiting at most closeTimeoutMs), then close the file. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (!this.#retryTimer) {
      this.#flushTailMarker();
      this.#kick();
      await withTimeout(this.idle(), this.#o.closeTimeoutMs);
    }
    // A failing file gets no further attempt: what is still queued is counted as dropped.
    // Stryker disable next-line ConditionalExpression,CallExpression: a retry that fires after close finds the file stopped and does nothing (and its timer is unref'd)
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#stopped = true;
    for (const r of this.#queue) {
      this.#pendingBytes -= r.bytes;
      if (!r.marker) this.#stats.linesDropped++;
    }
    this.#queue = [];
    await withTimeout(this.#closeHandle(), this.#o.closeTimeoutMs);
  }

  #flushTailMarker(): void {
    if (this.#droppedAtTail === 0) return;
    const text = this.#o.dropMarker(this.#droppedAtTail, this.#tailReason);
    this.#enqueue({
      text,
      bytes: Buffer.byteLength(text),
      lines: this.#droppedAtTail,
      marker: true,
    });
    this.#droppedAtTail = 0;
  }

  #enqueue(r: QueuedRecord): void {
    this.#queue.push(r);
    this.#pendingBytes += r.bytes;
  }

  #kick(): void {
    if (this.#pump || this.#retryTimer || this.#stopped) return;
    this.#pump = this.#run().finally(() => {
      this.#pump = null;
      // A record queued between the loop's last check and now still needs a writer.
      if (this.#queue.length > 0) this.#kick();
    });
  }

  async #run(): Promise<void> {
    while (this.#queue.length > 0 && !this.#stopped) {
      let batch: QueuedRecord[] = [];
      try {
        await this.#ensureOpen();
        if (this.#size > 0 && this.#size + (this.#queue[0]?.bytes ?? 0) > this.#o.rotateBytes) {
          await this.#rotate();
        }
        batch = this.#takeBatch();
        const bytes = batch.reduce((n, r) => n + r.bytes, 0);
        await (this.#handle as LogFileHandle).append(
          Buffer.from(batch.map((r) => r.text).join('')),
        );
        this.#size += bytes;
        this.#pendingBytes -= bytes;
        this.#failing = false;
        this.#retryDelay = 0;
      } catch {
        this.#fail(batch);
        return;
      }
    }
  }

  async #ensureOpen(): Promise<void> {
    const { fs, file, recheckMs } = this.#o;
    if (this.#handle && performance.now() - this.#lastCheck >= recheckMs) {
      this.#lastCheck = performance.now();
      const id = await fs.fileId(file);
      if (id === null || id !== this.#handleId) {
        // Deleted, moved or replaced under us (the logs folder removed, the file turned into a
        // folder): reopen rather than feed a file nobody will read.
        this.#stats.errors++;
        await this.#closeHandle();
      }
    }
    if (this.#handle) return;
    // Stryker disable next-line StringLiteral: the message is never read (#run turns any failure into #fail)
    if (this.#stopped) throw new Error('closed');
    await fs.ensureDir(dirname(file));
    const { handle, size } = await fs.openAppend(file);
    const id = await fs.fileId(file).catch(() => null);
    if (this.#stopped) {
      await handle.close().catch(ignore);
      // Stryker disable next-line StringLiteral: the message is never read (#run turns any failure into #fail)
      throw new Error('closed');
    }
    this.#handle = handle;
    this.#handleId = id;
    this.#size = size;
    this.#lastCheck = performance.now();
  }

  async #rotate(): Promise<void> {
    const { fs, file } = this.#o;
    await this.#closeHandle();
    await fs.rename(file, `${file}.1`).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e; // gone already: nothing to rotate
    });
    this.#stats.rotations++;
    await this.#ensureOpen();
  }

  /** Records from the head that fit in the live file's remaining room (at least one). */
  #takeBatch(): QueuedRecord[] {
    const room = this.#o.rotateBytes - this.#size;
    let bytes = 0;
    let k = 0;
    for (const r of this.#queue) {
      if (k > 0 && bytes + r.bytes > room) break;
      bytes += r.bytes;
      k++;
    }
    return this.#queue.splice(0, k);
  }

  /** A file operation failed: give up on the batch in flight (marking it) and retry later. */
  #fail(batch: QueuedRecord[]): void {
    this.#stats.errors++;
    this.#failing = true;
    void this.#closeHandle();
    let lost = 0;
    for (const r of batch) {
      this.#pendingBytes -= r.bytes;
      lost += r.lines;
      if (!r.marker) this.#stats.linesDropped++;
    }
    if (this.#stopped) return;
    if (lost > 0) {
      // The marker goes where the lost records were: ahead of everything still queued.
      const text = this.#o.dropMarker(lost, 'file error');
      const bytes = Buffer.byteLength(text);
      this.#queue.unshift({ text, bytes, lines: lost, marker: true });
      this.#pendingBytes += bytes;
    }
    this.#retryDelay = Math.min(
      this.#o.retryMaxMs,
      this.#retryDelay === 0 ? this.#o.retryMinMs : this.#retryDelay * 2,
    );
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#kick();
    }, this.#retryDelay);
    this.#retryTimer.unref();
  }

  async #closeHandle(): Promise<void> {
    const h = this.#handle;
    this.#handle = null;
    await h?.close().catch(ignore);
  }
}

/** Wait for `p`, but no longer than `ms` (a hung disk must not hang shutdown). */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  const ac = new AbortController();
  await Promise.race([p.catch(ignore), sleep(ms, undefined, { signal: ac.signal }).catch(ignore)]);
  ac.abort();
}
