// The Logs drawer: the worker's captured tail, then its live `logs` frames, bounded; after a
// reconnect it fetches what it missed.
import type { LogLine } from '../../shared/index.ts';
import { toCommandError } from '../bridge/errors.ts';
import { newerLines, tailLeavesGap } from '../model/log-merge.ts';
import { LogRing, type StreamFilter } from '../model/log-ring.ts';
import { generation, type Slice, type SliceCtx } from './context.ts';

export interface LogsState {
  workerId: string;
  label: string;
  /** Mutable ring; `rev` changes whenever it does. */
  ring: LogRing;
  rev: number;
  loading: boolean;
  error: string | null;
  /** Live lines (and other updates) lost because the connection fell behind (a `dropped` frame). */
  lostLines: number;
  /** Lines may be missing after a reconnect (more output than one tail holds). */
  gap: boolean;
  stream: StreamFilter;
  search: string;
  follow: boolean;
}

export interface LogsActions {
  openLogs(workerId: string): Promise<void>;
  reloadLogs(): Promise<void>;
  setLogView(patch: Partial<Pick<LogsState, 'stream' | 'search' | 'follow'>>): void;
}

export function logsSlice(ctx: SliceCtx): Slice<{ logs: LogsState | null }, LogsActions> {
  const { set, get, call, limits } = ctx;
  /** A new drawer starts a generation: answers for a closed one are dropped. */
  const drawer = generation();
  /** Live lines that arrive while the tail loads. */
  let pending: LogLine[] = [];
  let flushQueued = false;

  const patch = (fresh: () => boolean, change: Partial<LogsState>): void => {
    const l = get().logs;
    if (l && fresh()) set({ logs: { ...l, ...change, rev: l.rev + 1 } });
  };

  const queueFlush = (): void => {
    if (flushQueued) return;
    flushQueued = true;
    ctx.scheduleFlush(() => {
      flushQueued = false;
      const l = get().logs;
      if (l) set({ logs: { ...l, rev: l.rev + 1 } });
    });
  };

  const catchUp = async (): Promise<void> => {
    const l = get().logs;
    if (!l || l.loading) return;
    const fresh = drawer.current();
    try {
      const out = await call('getLogs', { id: l.workerId, tail: limits.logTail });
      const cur = get().logs;
      if (!cur || !fresh()) return;
      const gap = tailLeavesGap(cur.ring.last(), out.items, limits.logTail);
      cur.ring.pushAll(newerLines(cur.ring.lastTimestampRun(), out.items));
      patch(fresh, { gap: cur.gap || gap });
    } catch {
      // The next reconnect tries again; live lines keep coming meanwhile.
    }
  };

  const actions: LogsActions = {
    async openLogs(workerId) {
      const label = get().workers?.find((w) => w.id === workerId)?.label ?? workerId;
      const prev = get().logs;
      const keep = prev?.workerId === workerId ? prev : null;
      const fresh = drawer.next();
      pending = [];
      ctx.showDrawer({ kind: 'logs', workerId });
      set({
        logs: {
          workerId,
          label,
          ring: new LogRing(limits.logLines),
          rev: 0,
          loading: true,
          error: null,
          lostLines: 0,
          gap: false,
          stream: keep?.stream ?? 'all',
          search: keep?.search ?? '',
          follow: true,
        },
      });
      let error: string | null = null;
      let items: LogLine[] = [];
      try {
        items = (await call('getLogs', { id: workerId, tail: limits.logTail })).items;
      } catch (e) {
        error = toCommandError(e).message;
      }
      const l = get().logs;
      if (!l || !fresh()) return;
      l.ring.pushAll(items);
      l.ring.pushAll(newerLines(l.ring.lastTimestampRun(), pending));
      pending = [];
      patch(fresh, { loading: false, error });
    },

    async reloadLogs() {
      const l = get().logs;
      if (l) await actions.openLogs(l.workerId);
    },

    setLogView(change) {
      const l = get().logs;
      if (l) set({ logs: { ...l, ...change } });
    },
  };

  return {
    state: { logs: null },
    actions,
    frames: {
      // A batch goes into the ring at once and costs at most one store update (queueFlush
      // coalesces the batches of a frame's worth of time).
      logs(frame) {
        const l = get().logs;
        if (!l || l.workerId !== frame.id) return;
        if (l.loading) {
          pending.push(...frame.lines);
          if (pending.length > limits.logLines) pending = pending.slice(-limits.logLines);
        } else {
          l.ring.pushAll(frame.lines);
          queueFlush();
        }
      },
      dropped(frame) {
        if (get().logs) patch(drawer.current(), { lostLines: frame.dropped });
      },
    },
    reconnected() {
      void catchUp();
    },
    drawer: {
      kind: 'logs',
      close() {
        drawer.next();
        pending = [];
        set({ logs: null });
      },
    },
  };
}
