import { describe, expect, it } from 'vitest';
import { LineSplitter, utf8Boundary } from './line-splitter.ts';

function splitter(cap = 8192): { s: LineSplitter; lines: string[] } {
  const lines: string[] = [];
  return { s: new LineSplitter(cap, (l) => lines.push(l)), lines };
}

const bytesOf = (s: string): number => Buffer.byteLength(s);

describe('LineSplitter', () => {
  it('splits on LF across chunks, drops a trailing CR only, keeps empty lines', () => {
    const { s, lines } = splitter();
    for (const c of ['one\r\ntw', 'o\n\nthr', 'ee\r', '\nfour\rfive\n']) s.push(Buffer.from(c));
    expect(lines).toEqual(['one', 'two', '', 'three', 'four\rfive']);
    expect(s.pendingBytes).toBe(0);
    expect(s.linesCut).toBe(0);
  });

  it('reassembles multi-byte characters split between chunks', () => {
    const { s, lines } = splitter();
    const text = 'héllo 😀 wörld €\n';
    for (const byte of Buffer.from(text)) s.push(Buffer.from([byte]));
    expect(lines).toEqual(['héllo 😀 wörld €']);
  });

  it('cuts an over-long line to the cap, counts it, and resumes at the next line', () => {
    const { s, lines } = splitter(16);
    s.push(Buffer.from(`${'a'.repeat(20)}\n${'b'.repeat(10)}`));
    s.push(Buffer.from(`${'b'.repeat(10)}\nok\n`));
    expect(lines).toEqual(['a'.repeat(16), 'b'.repeat(16), 'ok']);
    expect(s.linesCut).toBe(2);
    expect(s.bytesDiscarded).toBe(4 + 4);
  });

  it('cuts on a UTF-8 boundary', () => {
    const { s, lines } = splitter(10);
    s.push(Buffer.from(`${'a'.repeat(8)}€€\n`)); // € is 3 bytes: only 8 bytes are whole characters
    expect(lines).toEqual(['a'.repeat(8)]);
    expect(s.bytesDiscarded).toBe(6);
  });

  it('cuts before a 4-byte character that straddles the cap, wherever the cap falls in it', () => {
    // 😀 is F0 9F 98 80: with the cap 1, 2 or 3 bytes into it, the whole character goes.
    for (const inside of [1, 2, 3]) {
      const { s, lines } = splitter(12);
      const head = 'a'.repeat(12 - inside);
      s.push(Buffer.from(`${head}😀tail\n`));
      expect(lines, `cap ${inside} bytes into the emoji`).toEqual([head]);
      expect(s.linesCut).toBe(1);
      expect(s.bytesDiscarded).toBe(4 + 4); // the emoji and "tail"
    }
    // Fed a byte at a time, the cut is the same.
    const { s, lines } = splitter(12);
    for (const byte of Buffer.from(`${'a'.repeat(10)}😀\nnext😀\n`)) s.push(Buffer.from([byte]));
    expect(lines).toEqual(['a'.repeat(10), 'next😀']);
    expect(s.bytesDiscarded).toBe(4);
    // When it ends exactly at the cap, it stays whole.
    const exact = splitter(12);
    exact.s.push(Buffer.from(`${'a'.repeat(8)}😀\n`));
    expect(exact.lines).toEqual([`${'a'.repeat(8)}😀`]);
    expect(exact.s.linesCut).toBe(0);
  });

  it('treats CR at the cap as the terminator when LF follows, and as content otherwise', () => {
    const { s, lines } = splitter(8);
    s.push(Buffer.from('12345678\r'));
    s.push(Buffer.from('\n'));
    expect(lines).toEqual(['12345678']);
    expect(s.linesCut).toBe(0);
    s.push(Buffer.from('abcdefgh\r'));
    s.push(Buffer.from('x\n'));
    expect(lines).toEqual(['12345678', 'abcdefgh']);
    expect(s.linesCut).toBe(1);
    expect(s.bytesDiscarded).toBe(2);
  });

  it('keeps a 1 MB line without a newline within the cap', () => {
    const { s, lines } = splitter(8192);
    s.push(Buffer.alloc(1024 * 1024, 'x'));
    expect(s.pendingBytes).toBeLessThanOrEqual(8192);
    expect(lines).toHaveLength(1);
    expect(bytesOf(lines[0] ?? '')).toBe(8192);
    s.push(Buffer.from('\nnext line\n'));
    expect(lines).toEqual(['x'.repeat(8192), 'next line']);
    expect(s.bytesDiscarded).toBe(1024 * 1024 - 8192);
  });

  it('keeps a 50 MB line streamed in chunks within the cap', () => {
    const { s, lines } = splitter(8192);
    const chunk = Buffer.alloc(64 * 1024, 'y');
    let maxPending = 0;
    for (let sent = 0; sent < 50 * 1024 * 1024; sent += chunk.length) {
      s.push(chunk);
      maxPending = Math.max(maxPending, s.pendingBytes);
    }
    expect(maxPending).toBeLessThanOrEqual(8192);
    expect(lines).toHaveLength(1);
    s.push(Buffer.from('\nafter\n'));
    expect(lines.slice(1)).toEqual(['after']);
    expect(lines.every((l) => bytesOf(l) <= 8192)).toBe(true);
    expect(s.linesCut).toBe(1);
    expect(s.bytesDiscarded).toBe(50 * 1024 * 1024 - 8192);
  });

  it('also holds the cap in bytes when invalid UTF-8 decodes to wider replacement characters', () => {
    const { s, lines } = splitter(64);
    s.push(Buffer.concat([Buffer.alloc(60, 0xff), Buffer.from('\n')]));
    expect(lines).toHaveLength(1);
    expect(bytesOf(lines[0] ?? '')).toBeLessThanOrEqual(64);
    expect(s.linesCut).toBe(1);
  });

  it('an invalid byte whose wider replacement still fits the cap is no cut', () => {
    const { s, lines } = splitter(8);
    s.push(Buffer.from([0xff, 0x61, 0x62, 0x63, 0x0a])); // 4 bytes in, 6 bytes out
    expect(lines).toEqual(['\uFFFDabc']);
    expect(s.linesCut).toBe(0);
    expect(s.bytesDiscarded).toBe(0);
  });

  it('an empty first line is a line', () => {
    const { s, lines } = splitter();
    s.push(Buffer.from('\n'));
    s.push(Buffer.from('\r'));
    s.push(Buffer.from('\n'));
    expect(lines).toEqual(['', '']);
  });

  it('flush emits the unterminated tail once, and nothing for a cut line', () => {
    const { s, lines } = splitter(8);
    s.push(Buffer.from('tail\r'));
    s.flush();
    s.flush();
    expect(lines).toEqual(['tail']);
    s.push(Buffer.from('0123456789'));
    s.flush();
    s.push(Buffer.from('fresh\n'));
    expect(lines).toEqual(['tail', '01234567', 'fresh']);
  });

  it('rejects a cap that cannot hold one character', () => {
    expect(() => new LineSplitter(3, () => undefined)).toThrow(RangeError);
  });
});

describe('utf8Boundary', () => {
  it('drops only an incomplete trailing sequence', () => {
    const b = Buffer.from('a😀'); // 1 + 4 bytes
    expect([1, 2, 3, 4, 5].map((n) => utf8Boundary(b, n))).toEqual([1, 1, 1, 1, 5]);
  });
});
