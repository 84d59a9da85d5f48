import { describe, expect, it } from 'vitest';
import { EventFrame, type LogLine } from '../../../shared/index.ts';
import { createLogBatches } from './log-batches.ts';

const line = (n: number, text = `line ${n}`): LogLine => ({ ts: n, stream: 'out', line: text });
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('log batches', () => {
  it("sends each worker's lines of one turn as one frame, in order", async () => {
    const frames: EventFrame[] = [];
    const b = createLogBatches((f) => frames.push(f));
    for (let i = 0; i < 5; i++) b.add('a', line(i));
    b.add('b', line(9));
    expect(frames).toEqual([]);
    await turn();
    expect(frames).toEqual([
      { kind: 'logs', id: 'a', lines: [0, 1, 2, 3, 4].map((n) => line(n)) },
      { kind: 'logs', id: 'b', lines: [line(9)] },
    ]);
    // Every frame is what the contract's schema accepts.
    for (const f of frames) expect(EventFrame.safeParse(f).success).toBe(true);
    b.add('a', line(5));
    await turn();
    expect(frames.at(-1)).toEqual({ kind: 'logs', id: 'a', lines: [line(5)] });
  });

  it('cuts a batch at its line or byte bound at once', () => {
    const frames: EventFrame[] = [];
    const b = createLogBatches((f) => frames.push(f), { maxLines: 3, maxBytes: 100 });
    for (let i = 0; i < 7; i++) b.add('a', line(i));
    expect(frames.map((f) => (f.kind === 'logs' ? f.lines.length : 0))).toEqual([3, 3]);
    b.add('b', line(0, 'x'.repeat(60)));
    b.add('b', line(1, 'x'.repeat(60)));
    expect(frames.at(-1)).toMatchObject({ id: 'b', lines: [{ ts: 0 }, { ts: 1 }] });
    b.flush();
    expect(frames.at(-1)).toEqual({ kind: 'logs', id: 'a', lines: [line(6)] });
  });
});
