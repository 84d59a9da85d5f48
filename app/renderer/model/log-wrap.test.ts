import { describe, expect, it } from 'vitest';
import { RowOffsets, displayColumns, wrappedRows } from './log-wrap.ts';

describe('displayColumns and wrappedRows', () => {
  it('counts a column a character, two for wide ones, tabs to the next stop', () => {
    expect(displayColumns('chatter #12')).toBe(11);
    expect(displayColumns('日本')).toBe(4);
    expect(displayColumns('🔧 tool')).toBe(7);
    expect(displayColumns('a\tb')).toBe(9);
    expect(displayColumns('e\u0301')).toBe(1);
  });

  it('takes ceil(columns / width) rows, at least one', () => {
    expect(wrappedRows('', 40)).toBe(1);
    expect(wrappedRows('x'.repeat(40), 40)).toBe(1);
    expect(wrappedRows('x'.repeat(41), 40)).toBe(2);
    expect(wrappedRows('x'.repeat(200), 40)).toBe(5);
    expect(wrappedRows('x'.repeat(200), 0)).toBe(1);
  });
});

describe('RowOffsets', () => {
  const rows = [1, 3, 1, 2, 1];
  const offsets = new RowOffsets((i) => rows[i]!, rows.length);

  it("knows each line's top and the total", () => {
    expect([...offsets.tops]).toEqual([0, 1, 4, 5, 7, 8]);
    expect(offsets.totalRows).toBe(8);
  });

  it('finds the line holding a row', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 99].map((r) => offsets.lineAtRow(r))).toEqual([
      0, 1, 1, 1, 2, 3, 3, 4, 4,
    ]);
  });

  it('windows the lines a viewport shows', () => {
    // Rows 2..5 (20 px rows, 60 px high from 40 px): lines 1 to 3.
    expect(offsets.visible(40, 60, 20, 0)).toEqual({ start: 1, end: 4 });
    expect(offsets.visible(40, 60, 20, 1)).toEqual({ start: 0, end: 5 });
    expect(new RowOffsets(() => 1, 0).visible(0, 100, 20, 5)).toEqual({ start: 0, end: 0 });
  });

  it('lays out as many lines as a drawer keeps', () => {
    const big = new RowOffsets((i) => 1 + (i % 3), 100_000);
    expect(big.totalRows).toBe(199_999);
    expect(big.lineAtRow(199_998)).toBe(99_999);
    expect(big.lineAtRow(3)).toBe(2);
  });
});
