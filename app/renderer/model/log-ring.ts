// A bounded log tail addressed by sequence number, and a filtered view over it that updates
// incrementally, so 100 000 lines stay cheap to append to, filter and scroll through.
import type { LogLine } from '../../shared/index.ts';

export class LogRing {
  readonly capacity: number;
  private buf: Array<LogLine | undefined>;
  /** Sequence number of the oldest line kept. */
  private start = 0;
  /** Sequence number the next line gets. */
  private end = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be >= 1');
    this.capacity = capacity;
    this.buf = new Array<LogLine | undefined>(capacity);
  }

  get size(): number {
    return this.end - this.start;
  }
  get firstSeq(): number {
    return this.start;
  }
  get endSeq(): number {
    return this.end;
  }
  /** Lines pushed out to stay within capacity. */
  get evicted(): number {
    return this.start;
  }

  push(line: LogLine): void {
    this.buf[this.end % this.capacity] = line;
    this.end++;
    if (this.end - this.start > this.capacity) this.start = this.end - this.capacity;
  }

  pushAll(lines: readonly LogLine[]): void {
    for (const l of lines) this.push(l);
  }

  /** The line with sequence number `seq`, if still kept. */
  at(seq: number): LogLine | undefined {
    if (seq < this.start || seq >= this.end) return undefined;
    return this.buf[seq % this.capacity];
  }

  last(): LogLine | undefined {
    return this.at(this.end - 1);
  }

  /** The newest lines that share the newest line's timestamp (where a fetched tail may overlap). */
  lastTimestampRun(): LogLine[] {
    const last = this.last();
    if (!last) return [];
    const out: LogLine[] = [];
    for (let s = this.end - 1; s >= this.start; s--) {
      const l = this.at(s);
      if (!l || l.ts !== last.ts) break;
      out.unshift(l);
    }
    return out;
  }

  toArray(): LogLine[] {
    const out: LogLine[] = [];
    for (let s = this.start; s < this.end; s++) {
      const l = this.at(s);
      if (l) out.push(l);
    }
    return out;
  }
}

export type StreamFilter = 'all' | 'out' | 'err';

export interface LogFilter {
  stream: StreamFilter;
  /** Case-insensitive substring; empty shows every line. */
  search: string;
}

export function matchesFilter(line: LogLine, stream: StreamFilter, needle: string): boolean {
  if (stream !== 'all' && line.stream !== stream) return false;
  return needle === '' || line.line.toLowerCase().includes(needle);
}

/** The sequence numbers of the ring's lines that pass a filter, kept up to date by `sync()`. */
export class FilteredView {
  private readonly ring: LogRing;
  private readonly stream: StreamFilter;
  private readonly needle: string;
  private readonly identity: boolean;
  private seqs: number[] = [];
  private head = 0;
  private scanned = 0;

  constructor(ring: LogRing, filter: LogFilter) {
    this.ring = ring;
    this.stream = filter.stream;
    this.needle = filter.search.trim().toLowerCase();
    this.identity = this.stream === 'all' && this.needle === '';
    this.sync();
  }

  /** Take in lines appended (and forget lines evicted) since the last call. */
  sync(): void {
    if (this.identity) return;
    const r = this.ring;
    for (let s = Math.max(this.scanned, r.firstSeq); s < r.endSeq; s++) {
      const l = r.at(s);
      if (l && matchesFilter(l, this.stream, this.needle)) this.seqs.push(s);
    }
    this.scanned = r.endSeq;
    while (this.head < this.seqs.length && (this.seqs[this.head] ?? 0) < r.firstSeq) this.head++;
    if (this.head > 4096 && this.head * 2 > this.seqs.length) {
      this.seqs = this.seqs.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Sequence numbers the view holds, shown or already evicted but not yet compacted away: at most
   * twice the matches the ring keeps, or 4096 more (compaction waits for that many dead ones).
   */
  get indexSize(): number {
    return this.seqs.length;
  }

  get length(): number {
    return this.identity ? this.ring.size : this.seqs.length - this.head;
  }

  /** The i-th visible line (0 = oldest shown). */
  lineAt(i: number): LogLine | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const seq = this.identity ? this.ring.firstSeq + i : this.seqs[this.head + i];
    return seq === undefined ? undefined : this.ring.at(seq);
  }

  lines(): LogLine[] {
    const out: LogLine[] = [];
    for (let i = 0; i < this.length; i++) {
      const l = this.lineAt(i);
      if (l) out.push(l);
    }
    return out;
  }
}
