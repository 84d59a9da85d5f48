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

describe('the width table', () => {
  const cols = (cp: number) => displayColumns(String.fromCodePoint(cp));

  it('counts the first and last code point of each wide range two, their neighbours one', () => {
    const wide: Array<[number, number]> = [
      [0x1100, 0x115f], // Hangul Jamo leading consonants
      [0x2e80, 0xa4cf], // CJK radicals … Yi
      [0xac00, 0xd7a3], // Hangul syllables
      [0xf900, 0xfaff], // CJK compatibility ideographs
      [0xfe30, 0xfe4f], // CJK compatibility forms
      [0xff00, 0xff60], // full-width forms
      [0xffe0, 0xffe6], // full-width signs
      [0x1f300, 0x1faff], // pictographs and emoji
      [0x20000, 0x3fffd], // CJK extensions
    ];
    for (const [first, last] of wide) {
      expect(
        [cols(first - 1), cols(first), cols(last), cols(last + 1)],
        `${first.toString(16)}`,
      ).toEqual([1, 2, 2, 1]);
    }
  });

  it('gives controls, combining marks, joiners and variation selectors no column', () => {
    expect([0x00, 0x1f, 0x20].map(cols)).toEqual([0, 0, 1]);
    expect([0x2ff, 0x300, 0x36f, 0x370].map(cols)).toEqual([1, 0, 0, 1]);
    expect([0x200c, 0x200d, 0x200e].map(cols)).toEqual([1, 0, 1]);
    expect([0xfdff, 0xfe00, 0xfe0f, 0xfe10].map(cols)).toEqual([1, 0, 0, 1]);
    // A family emoji: three wide pictographs held together by joiners.
    expect(displayColumns('👩\u200d👩\u200d👦')).toBe(6);
  });

  it('moves a tab to the next stop of eight from where the text is', () => {
    expect(displayColumns('\t')).toBe(8);
    expect(displayColumns('1234567\t')).toBe(8);
    expect(displayColumns('12345678\t')).toBe(16);
    expect(displayColumns('日\tx')).toBe(9);
  });

  it('wraps a line with wide characters by its columns, not its length', () => {
    expect(wrappedRows('日本語', 4)).toBe(2);
    expect(wrappedRows('ab日本', 4)).toBe(2);
    expect(wrappedRows('日本ab', 4)).toBe(2);
    expect(wrappedRows('a\tb', 8)).toBe(2);
    expect(wrappedRows('x', 1)).toBe(1);
    expect(wrappedRows('xy', 1)).toBe(2);
  });
});

describe('RowOffsets edges', () => {
  it('holds nothing when there are no lines', () => {
    const none = new RowOffsets(() => 1, 0);
    expect(none.count).toBe(0);
    expect(none.totalRows).toBe(0);
    expect(none.lineAtRow(5)).toBe(0);
  });

  it('windows from the top when scrolled above it, and shows nothing without a row height', () => {
    const offsets = new RowOffsets(() => 2, 10); // 20 rows
    expect(offsets.visible(-100, 40, 20, 0)).toEqual({ start: 0, end: 2 });
    expect(offsets.visible(0, 40, 0, 0)).toEqual({ start: 0, end: 0 });
    expect(offsets.visible(0, 40, -1, 0)).toEqual({ start: 0, end: 0 });
    // The last lines, with overscan clamped to the lines there are.
    expect(offsets.visible(360, 40, 20, 3)).toEqual({ start: 6, end: 10 });
  });
});
