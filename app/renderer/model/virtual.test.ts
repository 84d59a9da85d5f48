import { describe, expect, it } from 'vitest';
import { followAfterScroll, highlightParts, visibleRange } from './virtual.ts';

describe('visibleRange', () => {
  const base = { rowHeight: 20, viewportHeight: 200, overscan: 5 };

  it('renders the rows in view plus the overscan, at the top', () => {
    expect(visibleRange({ ...base, scrollTop: 0, count: 100_000 })).toEqual({ start: 0, end: 16 });
  });

  it('renders a constant number of rows in the middle of 100 000', () => {
    const r = visibleRange({ ...base, scrollTop: 1_000_000, count: 100_000 });
    expect(r).toEqual({ start: 49_995, end: 50_016 });
    expect(r.end - r.start).toBeLessThan(30);
  });

  it('clamps at the end and when the list shrank under the scroll position', () => {
    expect(visibleRange({ ...base, scrollTop: 1_999_800, count: 100_000 })).toEqual({
      start: 99_985,
      end: 100_000,
    });
    expect(visibleRange({ ...base, scrollTop: 50_000, count: 3 })).toEqual({ start: 0, end: 3 });
  });

  it('renders nothing for an empty list', () => {
    expect(visibleRange({ ...base, scrollTop: 0, count: 0 })).toEqual({ start: 0, end: 0 });
  });
});

describe('follow', () => {
  it('unticks more than 24 px from the bottom, reticks at the bottom', () => {
    expect(followAfterScroll(800, 1000, 200)).toBe(true);
    expect(followAfterScroll(776, 1000, 200)).toBe(true);
    expect(followAfterScroll(775, 1000, 200)).toBe(false);
    expect(followAfterScroll(0, 100, 200)).toBe(true);
  });
});

describe('highlightParts', () => {
  it('splits around every case-insensitive match', () => {
    expect(highlightParts('Error: an error', 'error')).toEqual([
      { text: 'Error', hit: true },
      { text: ': an ', hit: false },
      { text: 'error', hit: true },
    ]);
    expect(highlightParts('abc', '')).toEqual([{ text: 'abc', hit: false }]);
    expect(highlightParts('aaa', 'aa')).toEqual([
      { text: 'aa', hit: true },
      { text: 'a', hit: false },
    ]);
  });
});

describe('windowing edges', () => {
  const base = { scrollTop: 0, viewportHeight: 100, rowHeight: 20, overscan: 2 };

  it('renders nothing for no rows or a row height of zero (a view not laid out yet)', () => {
    expect(visibleRange({ ...base, count: 0 })).toEqual({ start: 0, end: 0 });
    expect(visibleRange({ ...base, count: 10, rowHeight: 0 })).toEqual({ start: 0, end: 0 });
    expect(visibleRange({ ...base, count: 1 })).toEqual({ start: 0, end: 1 });
  });

  it('scrolled past the end, still shows the last rows', () => {
    // first row 50 of 10: start from the last row, minus the overscan.
    expect(visibleRange({ ...base, count: 10, scrollTop: 1000 })).toEqual({ start: 7, end: 10 });
  });

  it('highlights a search given with blanks around it', () => {
    expect(highlightParts('an Error here', ' error ')).toEqual([
      { text: 'an ', hit: false },
      { text: 'Error', hit: true },
      { text: ' here', hit: false },
    ]);
  });
});
