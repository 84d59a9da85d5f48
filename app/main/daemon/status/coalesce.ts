// Coalesces bursts of "something changed" into at most one emission per interval: a burst of
// SSE events becomes a few frames a second at most, not one whole view per event.
export interface Coalescer {
  /** Mark dirty; the emit runs at most once per `intervalMs`, trailing edge included. */
  poke(): void;
  /** Emit now if dirty (e.g. right after a verb, so its caller sees the result at once). */
  flush(): void;
  close(): void;
}

export function createCoalescer(
  emit: () => void,
  intervalMs: number,
  timers: {
    setTimeout: typeof setTimeout;
    clearTimeout: typeof clearTimeout;
    now: () => number;
  } = {
    setTimeout,
    clearTimeout,
    now: Date.now,
  },
): Coalescer {
  let dirty = false;
  let lastEmit = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const fire = (): void => {
    timer = null;
    if (!dirty || closed) return;
    dirty = false;
    lastEmit = timers.now();
    emit();
  };

  return {
    poke() {
      if (closed) return;
      dirty = true;
      if (timer) return;
      const wait = Math.max(0, lastEmit + intervalMs - timers.now());
      timer = timers.setTimeout(fire, wait);
      timer.unref?.();
    },
    flush() {
      if (timer) timers.clearTimeout(timer);
      fire();
    },
    close() {
      closed = true;
      if (timer) timers.clearTimeout(timer);
      timer = null;
    },
  };
}
