import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatterBlock, chatterLine, chatterTickMs, startChatter } from './chatter.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('chatter', () => {
  it('makes numbered lines of exactly the requested size', () => {
    for (const bytes of [32, 120, 1000]) {
      const line = chatterLine(12345, bytes);
      expect(line.endsWith('\n')).toBe(true);
      expect(Buffer.byteLength(line)).toBe(bytes + 1);
      expect(line.startsWith('chatter #12345 ')).toBe(true);
    }
    expect(
      chatterBlock(7, 3, 40)
        .split('\n')
        .slice(0, -1)
        .map((l) => l.split(' ')[1]),
    ).toEqual(['#7', '#8', '#9']);
  });

  it('ticks between 20 ms and 1 s', () => {
    expect(chatterTickMs(1000)).toBe(20);
    expect(chatterTickMs(10)).toBe(100);
    expect(chatterTickMs(0.1)).toBe(1000);
  });

  it('writes the due lines in one block per tick, numbering dropped lines too, and never bursts', () => {
    vi.useFakeTimers();
    let now = 0;
    const blocks: string[] = [];
    let accept = true;
    const chatter = startChatter({
      rate: 100,
      lineBytes: 40,
      now: () => now,
      bulk: (b) => (blocks.push(b), accept),
    });
    now = 100;
    vi.advanceTimersByTime(20);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.split('\n')).toHaveLength(11); // 10 lines + trailing ''
    accept = false;
    now = 200;
    vi.advanceTimersByTime(20);
    accept = true;
    now = 10_000; // a stalled loop: only one second's worth comes out
    vi.advanceTimersByTime(20);
    const last = blocks.at(-1) ?? '';
    const lines = last.split('\n').slice(0, -1);
    expect(lines).toHaveLength(100);
    expect(lines.at(-1)?.startsWith('chatter #1000 ')).toBe(true);
    chatter.stop();
    const count = blocks.length;
    now = 20_000;
    vi.advanceTimersByTime(1000);
    expect(blocks).toHaveLength(count);
  });

  it('does nothing at rate 0', () => {
    vi.useFakeTimers();
    const bulk = vi.fn(() => true);
    startChatter({ rate: 0, lineBytes: 40, now: () => Date.now(), bulk }).stop();
    vi.advanceTimersByTime(5000);
    expect(bulk).not.toHaveBeenCalled();
  });
});
