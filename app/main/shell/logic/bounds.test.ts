import { describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, MIN_SIZE, restoreBounds } from './bounds.ts';

const laptop = { x: 0, y: 0, width: 1440, height: 875 };
const external = { x: 1440, y: -200, width: 2560, height: 1400 };

describe('remembered window bounds', () => {
  it('restores bounds that are on a display', () => {
    const b = { x: 100, y: 80, width: 1000, height: 700 };
    expect(restoreBounds(b, [laptop])).toEqual(b);
    expect(restoreBounds({ x: 2000, y: 0, width: 1200, height: 900 }, [laptop, external])).toEqual({
      x: 2000,
      y: 0,
      width: 1200,
      height: 900,
    });
  });

  it('keeps only the size when the display it was on is gone', () => {
    expect(restoreBounds({ x: 2000, y: 0, width: 1200, height: 900 }, [laptop])).toEqual({
      width: 1200,
      height: 875,
    });
    // Title bar above the top of the screen: unreachable.
    expect(restoreBounds({ x: 100, y: -300, width: 800, height: 600 }, [laptop])).toEqual({
      width: 800,
      height: 600,
    });
  });

  it('keeps the position while 64 px of the title bar stay reachable, not less', () => {
    const at = (x: number, y: number) => restoreBounds({ x, y, width: 800, height: 600 }, [laptop]);
    // 64 px of its width on the right edge of the display; 63 px is not enough.
    expect(at(1440 - 64, 100)).toMatchObject({ x: 1376, y: 100 });
    expect(at(1440 - 63, 100)).not.toHaveProperty('x');
    // Its top edge at least half of those 64 px above the bottom of the display.
    expect(at(100, 875 - 32)).toMatchObject({ x: 100, y: 843 });
    expect(at(100, 875 - 31)).not.toHaveProperty('x');
  });

  it('with the display gone, fits the size to the primary one, or keeps it with none', () => {
    const far = { x: 9000, y: 0, width: 3000, height: 2000 };
    expect(restoreBounds(far, [laptop])).toEqual({ width: 1440, height: 875 });
    expect(restoreBounds(far, [])).toEqual({ width: 3000, height: 2000 });
    expect(restoreBounds({ ...far, width: 300, height: 200 }, [])).toEqual(MIN_SIZE);
  });

  it('fits the size to the display and to the minimum', () => {
    expect(restoreBounds({ x: 0, y: 0, width: 5000, height: 200 }, [laptop])).toEqual({
      x: 0,
      y: 0,
      width: 1440,
      height: MIN_SIZE.height,
    });
  });

  it('ignores anything that is not a bounds object', () => {
    for (const stored of [
      undefined,
      null,
      'big',
      { x: 1 },
      { x: 0, y: 0, width: 'wide', height: 5 },
      { x: 0.5, y: 0, width: 800, height: 600 },
    ])
      expect(restoreBounds(stored, [laptop]), JSON.stringify(stored)).toEqual(DEFAULT_SIZE);
  });
});
