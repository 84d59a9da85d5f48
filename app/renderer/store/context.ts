// What every slice of the dashboard's store is made of: the Bridge's call, timers, limits, one
// generation helper for answers that come back too late, and the hooks a slice may offer the
// store (frames it reacts to, what it reloads on reconnect, its drawer).
import type { StoreApi } from 'zustand/vanilla';
import type { Bridge, CallCommand, EventKind, FrameOf, FusedWorker } from '../../shared/index.ts';
import { CONNECTIVITY_CAP } from '../model/connectivity.ts';
import type { Actions, AppState, Drawer } from './index.ts';

export const LIMITS = {
  /** Lines kept by an open Logs drawer. */
  logLines: 100_000,
  /** Lines asked for when a Logs drawer opens (the control API's maximum). */
  logTail: 2000,
  /** Events kept for the selected run. */
  runEvents: 20_000,
  /** Events asked for when a run is selected. */
  runTail: 1000,
  connectivity: CONNECTIVITY_CAP,
};
export type Limits = typeof LIMITS;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof globalThis.setInterval>),
};

/** Small choices of the viewer kept across visits (the page's localStorage); never secrets. */
export interface Prefs {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/** Prefs that last as long as the store (tests, or a page where storage is refused). */
export function memoryPrefs(): Prefs {
  const m = new Map<string, string>();
  return { get: (k) => m.get(k) ?? null, set: (k, v) => void m.set(k, v) };
}

export interface StoreDeps {
  bridge: Bridge;
  prefs?: Prefs;
  timers?: Timers;
  now?: () => number;
  /** Coalesces log appends into one render (default: 50 ms). */
  scheduleFlush?: (fn: () => void) => void;
  limits?: Partial<Limits>;
}

/**
 * Answers that arrive after what asked for them moved on (a drawer closed, a newer frame came)
 * are dropped: take a ticket before the call, and check it is still current after.
 */
export interface Generation {
  /** Start a new generation: every older ticket is stale from now on. */
  next(): () => boolean;
  /** A ticket of the current generation. */
  current(): () => boolean;
}

export function generation(): Generation {
  let n = 0;
  const ticket = (g: number) => () => g === n;
  return { next: () => ticket(++n), current: () => ticket(n) };
}

/** One replaceable timer: starting it again cancels the one before. */
export interface OneShot {
  start(fn: () => void, ms: number): void;
  cancel(): void;
}

export function oneShot(timers: Timers): OneShot {
  let handle: unknown = null;
  const cancel = (): void => {
    if (handle !== null) timers.clearTimeout(handle);
    handle = null;
  };
  return {
    start(fn, ms) {
      cancel();
      handle = timers.setTimeout(() => {
        handle = null;
        fn();
      }, ms);
    },
    cancel,
  };
}

/** What a slice is given. */
export interface SliceCtx {
  set: StoreApi<AppState>['setState'];
  get: StoreApi<AppState>['getState'];
  call: CallCommand;
  timers: Timers;
  now: () => number;
  limits: Limits;
  scheduleFlush: (fn: () => void) => void;
  prefs: Prefs;
  /** Every slice's actions (what one slice asks of another goes through them). */
  actions(): Actions;
  /** Show a drawer, or none: the slices of the other drawers let theirs go. */
  showDrawer(drawer: Drawer | null): void;
  /** Tell the slices that care that the worker list changed (a frame or an answer). */
  workersChanged(prev: FusedWorker[] | null, next: FusedWorker[]): void;
}

export type FrameHandlers = { [K in EventKind]?: (frame: FrameOf<K>) => void };

/** One slice of the store (zustand's slices pattern): its state, its actions, its hooks. */
export interface Slice<S, A> {
  state: S;
  actions: A;
  /** The frame kinds this slice reacts to. */
  frames?: FrameHandlers;
  /** The connection is open (again): load what frames do not carry. `prev` is where it was. */
  reconnected?(prev: string): void;
  workersChanged?(prev: FusedWorker[] | null, next: FusedWorker[]): void;
  /** The drawer this slice owns, and how it lets it go. */
  drawer?: { kind: Drawer['kind']; close(): void };
  /** Runs while the store is started; returns its teardown. */
  start?(): () => void;
}
