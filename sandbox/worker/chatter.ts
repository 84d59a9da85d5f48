// Extra stdout chatter for log-capture tests and benchmarks (PIPEDAI_SIM_LOG_RATE): lines are
// produced on a clock and written as one block per tick, so 1000 lines/s is ~50 writes/s.
// Line numbers count dropped lines too, so a gap in the captured log shows a drop.

const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';

/** `chatter #<seq> lorem…`, exactly `lineBytes` ASCII characters plus a newline. */
export function chatterLine(seq: number, lineBytes: number): string {
  const head = `chatter #${seq} `;
  let body = head;
  while (body.length < lineBytes) body += FILLER;
  return `${body.slice(0, lineBytes)}\n`;
}

export function chatterBlock(firstSeq: number, count: number, lineBytes: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(chatterLine(firstSeq + i, lineBytes));
  return lines.join('');
}

/** How often to write: about every 1/rate s, but never more than 50 times nor less than once a second. */
export function chatterTickMs(rate: number): number {
  return Math.max(20, Math.min(1000, Math.round(1000 / rate)));
}

export interface ChatterOptions {
  rate: number;
  lineBytes: number;
  /** Writes a block; returns false when it was dropped. */
  bulk: (block: string) => boolean;
  now: () => number;
}

export function startChatter(opts: ChatterOptions): { stop(): void } {
  if (opts.rate <= 0) return { stop() {} };
  const t0 = opts.now();
  // A stalled event loop must not cause a burst: at most one second of lines per tick.
  const maxPerTick = Math.max(1, Math.ceil(opts.rate));
  let produced = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((opts.now() - t0) * opts.rate) / 1000);
    if (due - produced > maxPerTick) produced = due - maxPerTick;
    const count = due - produced;
    if (count <= 0) return;
    opts.bulk(chatterBlock(produced + 1, count, opts.lineBytes));
    produced = due;
  }, chatterTickMs(opts.rate));
  return { stop: () => clearInterval(timer) };
}
