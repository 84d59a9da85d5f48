import { describe, expect, it, vi } from 'vitest';
import { createCoalescer } from './coalesce.ts';

describe('coalescer', () => {
  it('turns a burst of 1000 pokes into one leading and one trailing emission per interval', () => {
    vi.useFakeTimers();
    try {
      const emit = vi.fn();
      const c = createCoalescer(emit, 250, { setTimeout, clearTimeout, now: () => Date.now() });
      for (let i = 0; i < 1000; i++) c.poke();
      vi.advanceTimersByTime(0);
      expect(emit).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 1000; i++) c.poke();
      vi.advanceTimersByTime(100);
      expect(emit).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(200);
      expect(emit).toHaveBeenCalledTimes(2);
      vi.advanceTimersByTime(10_000);
      expect(emit).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('flush emits at once only when dirty, and close stops emissions', () => {
    vi.useFakeTimers();
    try {
      const emit = vi.fn();
      const c = createCoalescer(emit, 1000, { setTimeout, clearTimeout, now: () => Date.now() });
      c.flush();
      expect(emit).not.toHaveBeenCalled();
      c.poke();
      c.flush();
      expect(emit).toHaveBeenCalledTimes(1);
      c.poke();
      c.close();
      vi.advanceTimersByTime(5000);
      expect(emit).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
