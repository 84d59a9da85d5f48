// Incremental Server-Sent Events parser (contract §2.7, WHATWG wire format) with bounded memory:
// an over-long line or an over-large event is dropped and counted, never buffered.

export interface SseEvent {
  /** The `event:` field, if the event had one. */
  event: string | undefined;
  /** The `data:` lines joined by `\n`. */
  data: string;
  /** The last `id:` seen on this stream (unused by the orchestrator, kept for completeness). */
  id: string | undefined;
}

export interface SseLimits {
  /** Longest line kept, in characters. */
  maxLineLength: number;
  /** Largest `data` of one event, in characters. */
  maxEventLength: number;
}

export const DEFAULT_SSE_LIMITS: SseLimits = {
  maxLineLength: 64 * 1024,
  maxEventLength: 256 * 1024,
};

export interface SseStats {
  events: number;
  /** `:` lines: servers send them as keep-alives. */
  comments: number;
  droppedLines: number;
  droppedEvents: number;
}

export function newSseStats(): SseStats {
  return { events: 0, comments: 0, droppedLines: 0, droppedEvents: 0 };
}

const LINE_END = /[\r\n]/g;

export class SseParser {
  readonly stats: SseStats;
  private readonly limits: SseLimits;
  /** Feed either Buffers or strings to one parser, not both: a split UTF-8 sequence waits here. */
  private readonly decoder = new TextDecoder('utf-8');
  private line = '';
  /** Inside a line that outgrew the cap: skip to its end. */
  private skippingLine = false;
  private skippedLineWasComment = false;
  /** The previous chunk ended in `\r`: a leading `\n` belongs to that line end. */
  private pendingCr = false;
  private data: string[] = [];
  private dataLength = 0;
  private eventName: string | undefined;
  private lastId: string | undefined;
  /** Part of the pending event was dropped: drop the whole event at dispatch. */
  private poisoned = false;

  /** `stats` may be the caller's counters, to total them over several connections. */
  constructor(limits: Partial<SseLimits> = {}, stats: SseStats = newSseStats()) {
    this.limits = { ...DEFAULT_SSE_LIMITS, ...limits };
    this.stats = stats;
  }

  push(chunk: string | Uint8Array): SseEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const out: SseEvent[] = [];
    let i = 0;
    if (this.pendingCr && text.length > 0) {
      if (text[0] === '\n') i = 1;
      this.pendingCr = false;
    }
    while (i < text.length) {
      LINE_END.lastIndex = i;
      const m = LINE_END.exec(text);
      if (!m) {
        this.append(text.slice(i));
        break;
      }
      const end = m.index;
      this.append(text.slice(i, end));
      this.endLine(out);
      i = end + 1;
      if (text[end] === '\r') {
        if (i === text.length) this.pendingCr = true;
        else if (text[i] === '\n') i++;
      }
    }
    return out;
  }

  private append(piece: string): void {
    if (this.skippingLine || piece === '') return;
    if (this.line.length + piece.length <= this.limits.maxLineLength) {
      this.line += piece;
      return;
    }
    this.skippingLine = true;
    this.skippedLineWasComment = (this.line || piece).startsWith(':');
    this.stats.droppedLines++;
    this.line = '';
  }

  private endLine(out: SseEvent[]): void {
    if (this.skippingLine) {
      this.skippingLine = false;
      if (!this.skippedLineWasComment) this.poisoned = true;
      return;
    }
    const line = this.line;
    this.line = '';
    if (line === '') return this.dispatch(out);
    if (line.startsWith(':')) {
      this.stats.comments++;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.addData(value);
    else if (field === 'event') this.eventName = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    // `retry` and unknown fields are ignored.
  }

  private addData(value: string): void {
    if (this.poisoned) return;
    if (this.dataLength + value.length > this.limits.maxEventLength) {
      this.poisoned = true;
      this.data = [];
      this.dataLength = 0;
      return;
    }
    this.data.push(value);
    this.dataLength += value.length + 1;
  }

  private dispatch(out: SseEvent[]): void {
    if (this.poisoned) this.stats.droppedEvents++;
    else if (this.data.length > 0) {
      out.push({ event: this.eventName, data: this.data.join('\n'), id: this.lastId });
      this.stats.events++;
    }
    this.data = [];
    this.dataLength = 0;
    this.eventName = undefined;
    this.poisoned = false;
  }
}
