// WCAG 2.1 contrast of the dashboard's colour tokens (styles/base.css is their one source): every
// text tone on each background it is drawn on is at least 4.5:1 (1.4.3), and what marks a control
// or the focus at least 3:1 (1.4.11), in the light theme and the dark one.

export const TEXT_MIN = 4.5;
export const NON_TEXT_MIN = 3;

type Rgb = readonly [number, number, number];

/** `#rgb` or `#rrggbb`; anything else (rgba(), names) is not a solid token: null. */
export function parseHex(value: string): Rgb | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!m) return null;
  const h = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as unknown as Rgb;
}

/** Relative luminance (WCAG 2.1, sRGB). */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export type Tokens = Record<string, string>;

/** The custom properties of the first `:root { … }` block in `css`. */
function rootBlock(css: string): Tokens {
  const body = /:root\s*\{([^}]*)\}/.exec(css)?.[1] ?? '';
  const out: Tokens = {};
  for (const m of body.matchAll(/--([\w-]+)\s*:\s*([^;]+);/g)) out[m[1]!] = m[2]!.trim();
  return out;
}

/** The light tokens (`:root`) and the dark ones (the dark media query's `:root` over them). */
export function themeTokens(css: string): { light: Tokens; dark: Tokens } {
  const at = css.search(/@media\s*\(prefers-color-scheme:\s*dark\)/);
  const light = rootBlock(at < 0 ? css : css.slice(0, at));
  const dark = at < 0 ? {} : rootBlock(css.slice(at));
  return { light, dark: { ...light, ...dark } };
}

/** A foreground token on a background token, as the stylesheets draw them. */
export type Pair = readonly [fg: string, bg: string];

const on = (fg: string, ...bgs: string[]): Pair[] => bgs.map((bg) => [fg, bg] as const);

/** Every text colour on every background it sits on (rows, cards, drawers, tones, logs). */
export const TEXT_PAIRS: readonly Pair[] = [
  ...on('text', 'bg', 'surface', 'surface-2', 'busy-bg', 'mark'),
  ...on('muted', 'bg', 'surface', 'surface-2', 'busy-bg', 'warn-bg', 'bad-bg', 'ok-bg'),
  ...on('accent', 'bg', 'surface', 'surface-2', 'busy-bg'),
  ...on('accent-text', 'accent'),
  ...on('on-bad', 'bad'),
  ...on('ok', 'ok-bg', 'surface', 'surface-2', 'busy-bg'),
  ...on('busy', 'busy-bg', 'surface'),
  ...on('warn', 'warn-bg', 'surface', 'busy-bg'),
  ...on('bad', 'bad-bg', 'surface', 'surface-2', 'busy-bg', 'mark'),
  ...on('neutral', 'neutral-bg', 'surface'),
];

/** Field borders and the focus ring against what is around them (WCAG 1.4.11). */
export const NON_TEXT_PAIRS: readonly Pair[] = [
  ...on('control-border', 'surface', 'bg'),
  ...on('focus', 'surface', 'bg', 'surface-2'),
];

export interface Shortfall {
  fg: string;
  bg: string;
  ratio: number;
  min: number;
}

/** The pairs below `min` (a token that is missing or not a solid colour counts as failing). */
export function shortfalls(tokens: Tokens, pairs: readonly Pair[], min: number): Shortfall[] {
  const out: Shortfall[] = [];
  for (const [fg, bg] of pairs) {
    const a = parseHex(tokens[fg] ?? '');
    const b = parseHex(tokens[bg] ?? '');
    const ratio = a && b ? contrastRatio(a, b) : 0;
    if (ratio < min) out.push({ fg, bg, ratio: Math.round(ratio * 100) / 100, min });
  }
  return out;
}
