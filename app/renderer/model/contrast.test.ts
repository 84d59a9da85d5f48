import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  NON_TEXT_MIN,
  NON_TEXT_PAIRS,
  TEXT_MIN,
  TEXT_PAIRS,
  contrastRatio,
  parseHex,
  shortfalls,
  themeTokens,
} from './contrast.ts';

const css = readFileSync(join(import.meta.dirname, '../styles/base.css'), 'utf8');
const themes = themeTokens(css);

describe('contrast arithmetic (WCAG 2.1)', () => {
  it('gives the known ratios', () => {
    expect(contrastRatio(parseHex('#000')!, parseHex('#fff')!)).toBeCloseTo(21, 5);
    expect(contrastRatio(parseHex('#777777')!, parseHex('#ffffff')!)).toBeCloseTo(4.48, 2);
    // The green the issue measured: 4.41:1 on its tint.
    expect(contrastRatio(parseHex('#17803d')!, parseHex('#e3f5e9')!)).toBeCloseTo(4.41, 2);
  });

  it('takes only solid hex colours', () => {
    expect(parseHex('#AbC')).toEqual([0xaa, 0xbb, 0xcc]);
    expect(parseHex('rgba(0, 0, 0, 0.5)')).toBeNull();
    expect(shortfalls({ a: '#000' }, [['a', 'missing']], 3)).toEqual([
      { fg: 'a', bg: 'missing', ratio: 0, min: 3 },
    ]);
  });

  it('reads the dark theme over the light one', () => {
    const t = themeTokens(
      ':root{--a:#111;--b:#222;} @media (prefers-color-scheme: dark){:root{--a:#eee;}}',
    );
    expect(t.light).toEqual({ a: '#111', b: '#222' });
    expect(t.dark).toEqual({ a: '#eee', b: '#222' });
  });
});

describe.each(['light', 'dark'] as const)('the %s theme of base.css', (theme) => {
  it(`draws every text tone at ${TEXT_MIN}:1 or more`, () => {
    expect(shortfalls(themes[theme], TEXT_PAIRS, TEXT_MIN)).toEqual([]);
  });

  it(`draws field borders and the focus ring at ${NON_TEXT_MIN}:1 or more`, () => {
    expect(shortfalls(themes[theme], NON_TEXT_PAIRS, NON_TEXT_MIN)).toEqual([]);
  });
});
