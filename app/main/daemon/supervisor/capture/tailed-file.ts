// Reads one worker output file from a saved offset as the worker appends to it (it holds the
// file O_APPEND, so it writes on whether or not a daemon reads). Synchronous, bounded reads from
// one fd: the fd keeps naming the worker's file even if the path is removed meanwhile.
import { closeSync, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';

/** Where reading stopped in which file (device:inode), so a replaced file is never misread. */
export interface FileCursor {
  id: string;
  offset: number;
}

export interface TailedFileOptions {
  path: string;
  onData(chunk: Buffer): void;
  /** Bytes never read: the reader was further behind than maxBacklogBytes, or the file shrank. */
  onSkip(bytes: number, why: 'backlog' | 'truncated'): void;
  /** After a long absence, only the newest this many bytes are read. */
  maxBacklogBytes: number;
  chunkBytes?: number;
}

const LF = 0x0a;

export class TailedFile {
  readonly path: string;
  readonly #o: TailedFileOptions;
  readonly #buf: Buffer;
  #fd: number | null = null;
  #id: string | null = null;
  #offset = 0;
  /** Offset just past the last newline read: where a restarted reader resumes (no half line). */
  #lineStart = 0;
  #resumeAt: FileCursor | null;

  constructor(o: TailedFileOptions, resumeAt: FileCursor | null = null) {
    this.path = o.path;
    this.#o = o;
    this.#buf = Buffer.allocUnsafe(o.chunkBytes ?? 64 * 1024);
    this.#resumeAt = resumeAt;
  }

  /** Where to resume after a restart; null before the file was ever opened. */
  cursor(): FileCursor | null {
    if (this.#id === null) return this.#resumeAt;
    return { id: this.#id, offset: this.#lineStart };
  }

  get offset(): number {
    return this.#offset;
  }

  /** Open the file at its path (now, or again after the worker was given a new one). */
  reopen(): boolean {
    this.close();
    let fd: number;
    try {
      // r+: ftruncate needs write access; we never write through it.
      fd = openSync(this.path, 'r+');
    } catch {
      return false; // not created yet
    }
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: without bigint only inode numbers above 2^53 (NTFS file ids) would change the id; no test file system hands those out
    const st = fstatSync(fd, { bigint: true });
    const id = `${st.dev}:${st.ino}`;
    const resume = this.#resumeAt;
    this.#resumeAt = null;
    this.#fd = fd;
    if (this.#id !== id) {
      // A file we did not read before starts at the saved cursor, if it is that file.
      const at = resume?.id === id && resume.offset <= Number(st.size) ? resume.offset : 0;
      this.#id = id;
      this.#offset = at;
      this.#lineStart = at;
    }
    return true;
  }

  /** Hand every byte appended since the last call to onData, at most maxBytes; returns how many. */
  pump(maxBytes: number): number {
    if (this.#fd === null && !this.reopen()) return 0;
    const fd = this.#fd as number;
    const size = fstatSync(fd).size;
    if (size < this.#offset) {
      // Truncated by someone else: what was written before we noticed is gone.
      this.#o.onSkip(0, 'truncated');
      this.#offset = 0;
      this.#lineStart = 0;
    }
    const behind = size - this.#offset;
    if (behind > this.#o.maxBacklogBytes) {
      const skip = behind - this.#o.maxBacklogBytes;
      this.#o.onSkip(skip, 'backlog');
      this.#offset += skip;
      this.#lineStart = this.#offset;
    }
    let total = 0;
    // Stryker disable next-line EqualityOperator: at total === maxBytes the read asks for 0 bytes, gets 0 and stops
    while (total < maxBytes) {
      const n = readSync(
        fd,
        this.#buf,
        0,
        Math.min(this.#buf.length, maxBytes - total),
        this.#offset,
      );
      if (n === 0) break;
      const chunk = Buffer.from(this.#buf.subarray(0, n));
      const nl = chunk.lastIndexOf(LF);
      if (nl !== -1) this.#lineStart = this.#offset + nl + 1;
      this.#offset += n;
      total += n;
      this.#o.onData(chunk);
    }
    return total;
  }

  /** Everything appended has been read (a truncate now loses nothing already written). */
  atEnd(): boolean {
    return this.#fd !== null && fstatSync(this.#fd).size === this.#offset;
  }

  /** Empty the file in place; the next appends start at 0 (the writer holds it O_APPEND). */
  truncate(): void {
    if (this.#fd === null) return;
    ftruncateSync(this.#fd, 0);
    this.#offset = 0;
    this.#lineStart = 0;
  }

  /** The path that names this very file for another program (Linux /proc), else the path. */
  procPath(platform: NodeJS.Platform): string {
    return platform === 'linux' && this.#fd !== null
      ? `/proc/${process.pid}/fd/${this.#fd}`
      : this.path;
  }

  close(): void {
    // Stryker disable next-line ConditionalExpression: closing no fd throws inside the try below, to the same effect
    if (this.#fd === null) return;
    try {
      closeSync(this.#fd);
    } catch {
      // already closed
    }
    this.#fd = null;
  }
}
