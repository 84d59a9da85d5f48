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

  it('runs on the global clock and timers when none are given (as the daemon builds it)', () => {
    vi.useFakeTimers();
    try {
      const emit = vi.fn();
      const c = createCoalescer(emit, 250);
      c.poke();
      vi.advanceTimersByTime(0);
      expect(emit).toHaveBeenCalledTimes(1);
      c.poke(); // within the interval: waits for its end
      vi.advanceTimersByTime(100);
      expect(emit).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(150);
      expect(emit).toHaveBeenCalledTimes(2);
      c.close();
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

/** Timers the test drives by hand, counting what the coalescer asks of them. */
function manualTimers() {
  let now = 0;
  let pending: { fn: () => void; at: number; handle: object } | null = null;
  const asked = { waits: [] as number[], cleared: 0 };
  const timers = {
    now: () => now,
    // A plain handle, without Node's unref: the coalescer must not rely on it.
    setTimeout: ((fn: () => void, ms: number) => {
      asked.waits.push(ms);
      pending = { fn, at: now + ms, handle: {} };
      return pending.handle;
    }) as unknown as typeof setTimeout,
    clearTimeout: ((handle: object) => {
      asked.cleared++;
      if (pending?.handle === handle) pending = null;
    }) as unknown as typeof clearTimeout,
  };
  const advance = (ms: number) => {
    now += ms;
    const due = pending;
    if (due && due.at <= now) {
      pending = null;
      due.fn();
    }
  };
  return { timers, asked, advance };
}

describe('coalescer timing', () => {
  it('the first poke emits at once; a burst arms one timer; a handle without unref is fine', () => {
    const t = manualTimers();
    const emit = vi.fn();
    const c = createCoalescer(emit, 250, t.timers);
    for (let i = 0; i < 100; i++) c.poke();
    expect(t.asked.waits).toEqual([0]);
    t.advance(0);
    expect(emit).toHaveBeenCalledTimes(1);
    c.poke();
    expect(t.asked.waits).toEqual([0, 250]);
  });

  it('an emission clears dirty: a flush after it emits nothing new', () => {
    const t = manualTimers();
    const emit = vi.fn();
    const c = createCoalescer(emit, 250, t.timers);
    c.poke();
    t.advance(0);
    c.flush();
    expect(emit).toHaveBeenCalledTimes(1);
  });

  it('flush and close cancel only a timer that is armed', () => {
    const t = manualTimers();
    const emit = vi.fn();
    const c = createCoalescer(emit, 250, t.timers);
    c.flush();
    expect(t.asked.cleared).toBe(0);
    c.poke();
    c.flush();
    expect(t.asked.cleared).toBe(1);
    expect(emit).toHaveBeenCalledTimes(1);
    c.close();
    expect(t.asked.cleared).toBe(1);
    c.poke(); // closed: nothing is armed, nothing emits
    expect(t.asked.waits).toHaveLength(1);
    t.advance(10_000);
    expect(emit).toHaveBeenCalledTimes(1);
  });

  it('close cancels the armed timer', () => {
    const t = manualTimers();
    const emit = vi.fn();
    const c = createCoalescer(emit, 250, t.timers);
    c.poke();
    t.advance(0);
    c.poke(); // armed for the trailing edge
    c.close();
    expect(t.asked.cleared).toBe(1);
    t.advance(10_000);
    expect(emit).toHaveBeenCalledTimes(1);
  });
});
