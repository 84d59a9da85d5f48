import { describe, expect, it } from 'vitest';
import { jsonErrorPosition, parseJsonText } from './json-text.ts';

describe('parseJsonText', () => {
  it('parses valid JSON', () => {
    expect(parseJsonText('{"a": [1, -2.5e3, "x\\u00e9", true, null]}')).toEqual({
      ok: true,
      value: { a: [1, -2500, 'xé', true, null] },
    });
  });

  it('gives the line, column and position of the first bad character', () => {
    expect(parseJsonText('{\n  "token": oct_secret\n}')).toEqual({
      ok: false,
      position: 13,
      line: 2,
      column: 12,
      reason: 'unexpected character',
    });
  });

  it('reports a truncated file as an unexpected end', () => {
    const text = '{"workers": [';
    expect(parseJsonText(text)).toMatchObject({
      ok: false,
      position: text.length,
      reason: 'unexpected end of input',
    });
  });

  it.each([
    ['', 0],
    ['{"a":1,}', 7],
    ['{"a":1} x', 8],
    ['[1 2]', 3],
    ['{"a" 1}', 5],
    ['"bad \\x escape"', 6],
    ['"ctl \u0001"', 5],
    ['-', 0],
    ['01', 1],
    ['tru', 0],
    ['\uFEFF{}', 0],
    ['{"a":"\\u12G4"}', 10],
    ['"abc', 4],
    ['"abc\\', 5],
    ['"\\u12', 5],
    ['["a\\nb\\"\\/", x]', 13],
    ['["\\u00e9", x]', 11],
    ['[1] x', 4],
    ['[] x', 3],
    ['[ ] x', 4],
    ['{} x', 3],
    ['[true, false, null x]', 19],
    ['[1.25 x]', 6],
    ['[1e25 x]', 6],
    ['[1E+5 x]', 6],
    ['[-2.5e-3 x]', 9],
  ])('%j fails at %i', (text, position) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorPosition(text)).toBe(position);
  });

  it('stops at depth 512 instead of overflowing the stack on deep nesting', () => {
    const text = '['.repeat(100_000);
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorPosition(text)).toBe(513);
  });
});
