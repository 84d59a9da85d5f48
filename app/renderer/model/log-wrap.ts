// Wrapped log lines, still windowed: a line of a monospace font that breaks at any character
// takes ceil(columns / width) rows, so every line's top is known without rendering it and 100 000
// wrapped lines scroll as lightly as unwrapped ones.

const TAB = 8;

/** Columns the text takes in a monospace font: wide (CJK, emoji) characters count two. */
export function displayColumns(text: string): number {
  let cols = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\t') cols += TAB - (cols % TAB);
    else if (
      cp < 0x20 ||
      (cp >= 0x300 && cp < 0x370) ||
      cp === 0x200d ||
      (cp >= 0xfe00 && cp <= 0xfe0f)
    )
      continue; // controls, combining marks, joiners and variation selectors take no column
    else cols += isWide(cp) ? 2 : 1;
  }
  return cols;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Rows a line takes when wrapped at `width` columns (at least one). */
export function wrappedRows(text: string, width: number): number {
  if (width < 1) return 1;
  // Most lines are printable ASCII: a column a character, no walk over the text.
  const cols = PLAIN.test(text) ? text.length : displayColumns(text);
  return Math.max(1, Math.ceil(cols / width));
}

const PLAIN = /^[\x20-\x7e]*$/;

/** Where each line starts, in rows: `tops[i]` for line i, `tops[count]` is the total. */
export class RowOffsets {
  readonly tops: Uint32Array;

  constructor(rowsOf: (i: number) => number, count: number) {
    this.tops = new Uint32Array(count + 1);
    for (let i = 0; i < count; i++) this.tops[i + 1] = this.tops[i]! + rowsOf(i);
  }

  get count(): number {
    return this.tops.length - 1;
  }

  get totalRows(): number {
    return this.tops[this.count]!;
  }

  /** The line that holds row `row` (clamped to the lines there are). */
  lineAtRow(row: number): number {
    let lo = 0;
    let hi = this.count - 1;
    if (hi < 0) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.tops[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Lines [start, end) to render for a viewport, `overscan` extra lines either side. */
  visible(
    scrollTop: number,
    viewportHeight: number,
    rowHeight: number,
    overscan: number,
  ): { start: number; end: number } {
    if (this.count === 0 || rowHeight <= 0) return { start: 0, end: 0 };
    const first = this.lineAtRow(Math.floor(Math.max(0, scrollTop) / rowHeight));
    const last = this.lineAtRow(Math.floor((Math.max(0, scrollTop) + viewportHeight) / rowHeight));
    return {
      start: Math.max(0, first - overscan),
      end: Math.min(this.count, last + 1 + overscan),
    };
  }
}
