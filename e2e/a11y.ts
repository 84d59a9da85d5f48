// What the browser suite checks of the page for anyone and any screen: axe-core (WCAG 2.1 A and
// AA, failing on serious and critical findings) in both themes on a desktop and a phone, where
// keyboard focus is, and whether anything is wider than the screen.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';

export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface Look {
  name: string;
  viewport: { width: number; height: number };
  colorScheme: 'light' | 'dark';
}

/** Every view is checked in each: the desktop window and a phone, light and dark. */
export const LOOKS: readonly Look[] = [
  { name: '1280×800 light', viewport: { width: 1280, height: 800 }, colorScheme: 'light' },
  { name: '1280×800 dark', viewport: { width: 1280, height: 800 }, colorScheme: 'dark' },
  { name: '390×844 light', viewport: { width: 390, height: 844 }, colorScheme: 'light' },
  { name: '390×844 dark', viewport: { width: 390, height: 844 }, colorScheme: 'dark' },
];

/**
 * axe's serious and critical findings on the page as it is now, one line each; with `within`
 * (a dialog or a drawer over the page, which was checked on its own) only there.
 */
export async function axeProblems(page: Page, where: string, within?: string): Promise<string[]> {
  const axe = new AxeBuilder({ page }).withTags(WCAG_21_AA);
  if (within) axe.include(within);
  const { violations, passes } = await axe.analyze();
  // It looked at something: a page it could not read would pass every rule by having none.
  if (!passes.some((p) => p.id === 'color-contrast'))
    return [
      `${where}: axe checked no text contrast (passes: ${passes.map((p) => p.id).join(', ')})`,
    ];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${where}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes
          .slice(0, 4)
          .map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`)
          .join(' | ')}`,
    );
}

/** Check the page in every look (the same page, resized and re-themed); back to the first after. */
export async function axeInEveryLook(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const look of LOOKS) {
    await page.setViewportSize(look.viewport);
    await page.emulateMedia({ colorScheme: look.colorScheme });
    found.push(...(await axeProblems(page, `${where}, ${look.name}`)));
  }
  await page.setViewportSize(LOOKS[0]!.viewport);
  await page.emulateMedia({ colorScheme: LOOKS[0]!.colorScheme });
  return found;
}

/** How wide the page is against the window (more than the window: it scrolls sideways). */
export const pageScrollWidth = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth);

/** The focused element: its accessible name as the suite reads it, or 'BODY' when none has focus. */
export const focused = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'BODY';
    return (el.getAttribute('aria-label') ?? el.textContent ?? '').trim() || el.tagName;
  });

/** Visible controls smaller than 24×24 px (WCAG 2.5.8's minimum target), by name. */
export const smallTargets = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, a[href], input, select')]
      .filter((el) => el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden')
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.width < 24 || r.height < 24))
      .map(
        ({ el, r }) =>
          `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim()}" ${Math.round(r.width)}×${Math.round(r.height)}`,
      ),
  );
