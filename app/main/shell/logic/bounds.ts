// The window's remembered bounds (a UI preference kept by electron-store): parsed, not trusted,
// and used only if the window would still be reachable on one of today's displays.
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_SIZE = { width: 1100, height: 760 } as const;
export const MIN_SIZE = { width: 720, height: 480 } as const;
/** At least this much of the title bar must be on a display to keep the remembered position. */
const VISIBLE_PX = 64;

export const StoredBounds = z.object({
  x: z.number().int().min(-100_000).max(100_000),
  y: z.number().int().min(-100_000).max(100_000),
  width: z.number().int().min(100).max(20_000),
  height: z.number().int().min(100).max(20_000),
});

const overlap = (a0: number, a1: number, b0: number, b1: number): number =>
  Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/**
 * Bounds for a new window: the stored ones when their top edge is on a display (sized to fit
 * it), else only a size and the window centres itself.
 */
export function restoreBounds(
  stored: unknown,
  workAreas: readonly Rect[],
): Rect | { width: number; height: number } {
  const parsed = StoredBounds.safeParse(stored);
  if (!parsed.success) return { ...DEFAULT_SIZE };
  const b = parsed.data;
  const area = workAreas.find(
    (a) =>
      overlap(b.x, b.x + b.width, a.x, a.x + a.width) >= VISIBLE_PX &&
      b.y >= a.y &&
      b.y + VISIBLE_PX / 2 <= a.y + a.height,
  );
  const fit = (v: number, min: number, max: number): number => Math.max(min, Math.min(v, max));
  if (!area) {
    const primary = workAreas[0];
    return {
      width: fit(b.width, MIN_SIZE.width, primary?.width ?? b.width),
      height: fit(b.height, MIN_SIZE.height, primary?.height ?? b.height),
    };
  }
  return {
    x: b.x,
    y: b.y,
    width: fit(b.width, MIN_SIZE.width, area.width),
    height: fit(b.height, MIN_SIZE.height, area.height),
  };
}
