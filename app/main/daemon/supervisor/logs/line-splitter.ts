// Splits one child stream into lines with at most `maxLineBytes` held in memory (contract §5.5,
// §12 "Bounded resources": an unterminated line must not grow without limit).
// Splitting happens on bytes: 0x0A never occurs inside a UTF-8 sequence, so a character split
// across chunks is reassembled before decoding.

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  readonly maxLineBytes: number;
  /** Lines emitted cut to the cap. */
  linesCut = 0;
  /** Bytes of cut lines that were not kept (as received; as decoded for invalid UTF-8). */
  bytesDiscarded = 0;

  readonly #emit: (line: string) => void;
  #buf: Buffer | null = null; // allocated on first use, never grows past maxLineBytes
  #len = 0;
  // A CR arrived while the buffer was full: either the line's terminator (if LF follows) or
  // proof that the line is over the cap. Held as a flag so the buffer stays within the cap.
  #heldCr = false;
  // The current line was already emitted cut: drop its bytes until the next LF.
  #discarding = false;

  constructor(maxLineBytes: number, emit: (line: string) => void) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 4) {
      throw new RangeError('maxLineBytes must be an integer ≥ 4 (one UTF-8 character)');
    }
    this.maxLineBytes = maxLineBytes;
    this.#emit = emit;
  }

  /** Bytes of the unterminated line held in memory (≤ maxLineBytes). */
  get pendingBytes(): number {
    return this.#len;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      const end = nl === -1 ? chunk.length : nl;
      if (nl !== -1 && this.#len === 0 && !this.#heldCr && !this.#discarding) {
        // Fast path: a whole line inside this chunk decodes without a copy.
        if (end - start <= this.maxLineBytes) {
          this.#out(chunk, start, end > start && chunk[end - 1] === CR ? end - 1 : end, false);
          start = nl + 1;
          continue;
        }
      }
      this.#take(chunk, start, end);
      if (nl === -1) return;
      this.#endLine();
      start = nl + 1;
    }
  }

  /** The stream ended: emit the unterminated tail, if any, as a line. */
  flush(): void {
    if (this.#discarding) this.#discarding = false;
    else if (this.#len > 0 || this.#heldCr) this.#endLine();
  }

  #take(chunk: Buffer, from: number, to: number): void {
    if (from === to) return;
    if (this.#discarding) {
      this.bytesDiscarded += to - from;
      return;
    }
    if (this.#heldCr) {
      this.#heldCr = false;
      this.#cut(1 + to - from);
      return;
    }
    const n = Math.min(this.maxLineBytes - this.#len, to - from);
    if (n > 0) {
      this.#buf ??= Buffer.alloc(this.maxLineBytes);
      this.#buf.set(chunk.subarray(from, from + n), this.#len);
      this.#len += n;
    }
    const rest = to - from - n;
    if (rest === 0) return;
    if (rest === 1 && chunk[to - 1] === CR) this.#heldCr = true;
    else this.#cut(rest);
  }

  /** Emit the held bytes as a cut line; `extra` bytes beyond the cap are already lost. */
  #cut(extra: number): void {
    const buf = this.#buf as Buffer; // only reached once the buffer is full
    const keep = utf8Boundary(buf, this.#len);
    this.linesCut++;
    this.bytesDiscarded += extra + this.#len - keep;
    this.#discarding = true;
    this.#len = 0;
    this.#out(buf, 0, keep, true);
  }

  #endLine(): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    let end = this.#len;
    if (this.#heldCr)
      this.#heldCr = false; // the CR was the terminator's; the line is exactly the cap
    else if (end > 0 && this.#buf?.[end - 1] === CR) end--;
    this.#len = 0;
    // Only reached with bytes held (an empty line takes the fast path in push).
    this.#out(this.#buf as Buffer, 0, end, false);
  }

  /** Decode and emit; invalid bytes decode to U+FFFD (3 bytes), so re-check the cap then. */
  #out(bytes: Buffer, from: number, to: number, cut: boolean): void {
    const text = bytes.toString('utf8', from, to);
    if ((to - from) * 3 <= this.maxLineBytes || !text.includes('\uFFFD')) {
      this.#emit(text);
      return;
    }
    const encoded = Buffer.from(text);
    if (encoded.length <= this.maxLineBytes) {
      this.#emit(text);
      return;
    }
    const keep = utf8Boundary(encoded, this.maxLineBytes);
    if (!cut) this.linesCut++;
    this.bytesDiscarded += encoded.length - keep;
    this.#emit(encoded.toString('utf8', 0, keep));
  }
}

/** Length of the longest prefix of `buf[0..len)` that does not end inside a UTF-8 sequence. */
export function utf8Boundary(buf: Uint8Array, len: number): number {
  let i = len - 1;
  while (i >= 0 && len - i < 4 && ((buf[i] ?? 0) & 0xc0) === 0x80) i--;
  if (i < 0) return len;
  const lead = buf[i] ?? 0;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return i + size > len ? i : len;
}
