import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/index.ts';
import { newerLines, tailLeavesGap } from './log-merge.ts';

const l = (ts: number, line: string, stream: 'out' | 'err' = 'out'): LogLine => ({
  ts,
  stream,
  line,
});

describe('newerLines', () => {
  it('keeps only lines after what we hold', () => {
    const held = [l(1, 'a'), l(2, 'b')];
    expect(newerLines(held, [l(1, 'a'), l(2, 'b'), l(3, 'c')])).toEqual([l(3, 'c')]);
  });

  it('matches lines sharing the boundary timestamp by content, counting repeats', () => {
    const held = [l(5, 'x'), l(5, 'same')];
    const incoming = [l(5, 'x'), l(5, 'same'), l(5, 'same'), l(5, 'new'), l(6, 'later')];
    expect(newerLines(held, incoming)).toEqual([l(5, 'same'), l(5, 'new'), l(6, 'later')]);
  });

  it('tells the streams apart', () => {
    expect(newerLines([l(5, 'x', 'out')], [l(5, 'x', 'err')])).toEqual([l(5, 'x', 'err')]);
  });

  it('takes everything when nothing is held', () => {
    expect(newerLines([], [l(1, 'a')])).toEqual([l(1, 'a')]);
  });
});

describe('tailLeavesGap', () => {
  it('is a gap when the tail was full and starts after our newest line', () => {
    expect(tailLeavesGap(l(10, 'a'), [l(11, 'b'), l(12, 'c')], 2)).toBe(true);
    expect(tailLeavesGap(l(10, 'a'), [l(10, 'a'), l(12, 'c')], 2)).toBe(false);
    expect(tailLeavesGap(l(10, 'a'), [l(11, 'b')], 2)).toBe(false);
    expect(tailLeavesGap(undefined, [l(11, 'b')], 1)).toBe(false);
  });
});
