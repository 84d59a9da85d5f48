import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  NON_TEXT_MIN,
  NON_TEXT_PAIRS,
  TEXT_MIN,
  TEXT_PAIRS,
  contrastRatio,
  luminance,
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

  it('names each pair below the minimum with its ratio to two places, and only those', () => {
    const tokens = { grey: '#777777', darker: '#767676', white: '#ffffff' };
    const pairs = [
      ['grey', 'white'],
      ['darker', 'white'],
    ] as const;
    expect(shortfalls(tokens, pairs, TEXT_MIN)).toEqual([
      { fg: 'grey', bg: 'white', ratio: 4.48, min: TEXT_MIN },
    ]);
    // Either way round: the lighter colour is the numerator.
    expect(contrastRatio(parseHex('#ffffff')!, parseHex('#767676')!)).toBeCloseTo(4.54, 2);
  });

  it('passes a pair exactly at the minimum ("at least")', () => {
    const tokens = { black: '#000000', white: '#ffffff' };
    const ratio = contrastRatio(parseHex('#000000')!, parseHex('#ffffff')!);
    expect(shortfalls(tokens, [['black', 'white']], ratio)).toEqual([]);
  });

  it('computes luminance on both sides of the sRGB knee', () => {
    expect(luminance([0, 0, 0])).toBe(0);
    expect(luminance([255, 255, 255])).toBeCloseTo(1, 10);
    expect(luminance([10, 10, 10])).toBeCloseTo(10 / 255 / 12.92, 10);
    expect(luminance([128, 128, 128])).toBeCloseTo(0.2158605, 6);
    // The channels weigh differently: green most, blue least.
    expect(luminance([255, 0, 0])).toBeCloseTo(0.2126, 10);
    expect(luminance([0, 255, 0])).toBeCloseTo(0.7152, 10);
    expect(luminance([0, 0, 255])).toBeCloseTo(0.0722, 10);
  });

  it('refuses what is not exactly a hex colour, around spaces', () => {
    expect(parseHex(' #ffffff ')).toEqual([255, 255, 255]);
    expect(parseHex('#102030')).toEqual([0x10, 0x20, 0x30]);
    for (const bad of ['#ffff', '#fffffff', 'x#fff', '#fffx', '#ggg', 'fff', ''])
      expect(parseHex(bad), bad).toBeNull();
  });

  it('reads the dark theme over the light one', () => {
    const t = themeTokens(
      ':root{--a:#111;--b:#222;} @media (prefers-color-scheme: dark){:root{--a:#eee;}}',
    );
    expect(t.light).toEqual({ a: '#111', b: '#222' });
    expect(t.dark).toEqual({ a: '#eee', b: '#222' });
    // The media query written tight or loose.
    for (const media of [
      '@media(prefers-color-scheme:dark)',
      '@media  (prefers-color-scheme:  dark)',
    ])
      expect(themeTokens(`:root{--a:#111;}${media}{:root{--a:#eee;}}`).dark, media).toEqual({
        a: '#eee',
      });
    // A stylesheet that ends with its :root block, one with no :root, one with only a dark block.
    expect(themeTokens(':root{--a:#111;}')).toEqual({ light: { a: '#111' }, dark: { a: '#111' } });
    expect(themeTokens('body{color:red}')).toEqual({ light: {}, dark: {} });
    expect(themeTokens('@media (prefers-color-scheme: dark){:root{--a:#eee;}}')).toEqual({
      light: {},
      dark: { a: '#eee' },
    });
    // Without a dark block the dark theme is the light one; spaces around the parts are fine.
    const plain = themeTokens(':root {\n  --a : #111 ;\n  --b-2:#222;\n}\n.x { --c: #333; }');
    expect(plain).toEqual({
      light: { a: '#111', 'b-2': '#222' },
      dark: { a: '#111', 'b-2': '#222' },
    });
  });
});

describe('the pairs checked', () => {
  it('cover the page text, every tone and the focus ring, all tokens base.css defines', () => {
    expect(TEXT_PAIRS).toContainEqual(['text', 'bg']);
    expect(TEXT_PAIRS).toContainEqual(['bad', 'bad-bg']);
    expect(NON_TEXT_PAIRS).toContainEqual(['focus', 'bg']);
    expect(NON_TEXT_PAIRS).toContainEqual(['control-border', 'surface']);
    for (const [fg, bg] of [...TEXT_PAIRS, ...NON_TEXT_PAIRS]) {
      expect(themes.light, fg).toHaveProperty([fg]);
      expect(themes.light, bg).toHaveProperty([bg]);
    }
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
