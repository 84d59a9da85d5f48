// The Runs drawer: a worker's runs, and the selected run's events: its tail first, then the
// daemon's `run-events` frames; it follows the newest run until the person picks another.
import type { FusedWorker, RunEvent, RunSummary } from '../../shared/index.ts';
import { toCommandError } from '../bridge/errors.ts';
import { generation, type Slice, type SliceCtx } from './context.ts';

export interface RunsState {
  workerId: string;
  label: string;
  list: RunSummary[] | null;
  listError: string | null;
  selectedRunId: string | null;
  /** Follow the newest run as new ones appear, until the user picks one. */
  autoSelect: boolean;
  events: RunEvent[];
  eventsLoading: boolean;
  eventsError: string | null;
  lastSeq: number | null;
  /** Older events let go to stay within the limit. */
  truncated: number;
  follow: boolean;
}

export interface RunsActions {
  openRuns(workerId: string): Promise<void>;
  refreshRunsList(): Promise<void>;
  selectRun(runId: string): Promise<void>;
  catchUpRunEvents(): Promise<void>;
  setRunsFollow(follow: boolean): void;
}

const message = (e: unknown): string => toCommandError(e).message;

export function runsSlice(ctx: SliceCtx): Slice<{ runs: RunsState | null }, RunsActions> {
  const { set, get, call, limits } = ctx;
  /** The drawer, and the selected run's events within it: answers for older ones are dropped. */
  const drawer = generation();
  const events = generation();
  let catchingUp = false;
  /** Frames of the selected run that arrive while its tail loads (bounded). */
  let pending: RunEvent[] = [];

  const patch = (fresh: () => boolean, change: Partial<RunsState>): void => {
    const r = get().runs;
    if (r && fresh()) set({ runs: { ...r, ...change } });
  };

  /** Append events newer than what we hold, within the limit. */
  const append = (items: readonly RunEvent[]): void => {
    const r = get().runs;
    if (!r) return;
    const fresh = items.filter((e) => r.lastSeq === null || e.seq > r.lastSeq);
    if (fresh.length === 0) return;
    let kept = [...r.events, ...fresh];
    let truncated = r.truncated;
    if (kept.length > limits.runEvents) {
      truncated += kept.length - limits.runEvents;
      kept = kept.slice(kept.length - limits.runEvents);
    }
    const lastSeq = Math.max(r.lastSeq ?? -Infinity, ...fresh.map((e) => e.seq));
    set({ runs: { ...r, events: kept, truncated, lastSeq } });
  };

  const loadEvents = async (runId: string): Promise<void> => {
    const r = get().runs;
    if (!r) return;
    const inDrawer = drawer.current();
    const fresh = events.next();
    pending = [];
    set({
      runs: {
        ...r,
        selectedRunId: runId,
        events: [],
        eventsLoading: true,
        eventsError: null,
        lastSeq: null,
        truncated: 0,
      },
    });
    try {
      const out = await call('getRunEvents', { id: r.workerId, runId, tail: limits.runTail });
      if (!fresh()) return;
      patch(inDrawer, { eventsLoading: false });
      append(out.items);
      append(pending);
    } catch (e) {
      if (fresh()) patch(inDrawer, { eventsLoading: false, eventsError: message(e) });
    } finally {
      if (fresh()) pending = [];
    }
  };

  const actions: RunsActions = {
    async openRuns(workerId) {
      const label = get().workers?.find((w) => w.id === workerId)?.label ?? workerId;
      drawer.next();
      events.next();
      ctx.showDrawer({ kind: 'runs', workerId });
      set({
        runs: {
          workerId,
          label,
          list: null,
          listError: null,
          selectedRunId: null,
          autoSelect: true,
          events: [],
          eventsLoading: false,
          eventsError: null,
          lastSeq: null,
          truncated: 0,
          follow: true,
        },
      });
      await actions.refreshRunsList();
    },

    async refreshRunsList() {
      const r = get().runs;
      if (!r) return;
      const fresh = drawer.current();
      try {
        const out = await call('listRuns', { id: r.workerId });
        const cur = get().runs;
        if (!cur || !fresh()) return;
        set({ runs: { ...cur, list: out.items, listError: null } });
        const newest = out.items[0];
        if (cur.autoSelect && newest && newest.runId !== cur.selectedRunId)
          await loadEvents(newest.runId);
      } catch (e) {
        patch(fresh, { listError: message(e), list: get().runs?.list ?? null });
      }
    },

    async selectRun(runId) {
      const r = get().runs;
      if (!r) return;
      set({ runs: { ...r, autoSelect: r.list?.[0]?.runId === runId } });
      await loadEvents(runId);
    },

    async catchUpRunEvents() {
      const r = get().runs;
      if (!r?.selectedRunId || r.eventsLoading || catchingUp) return;
      if (r.lastSeq === null) return void loadEvents(r.selectedRunId);
      catchingUp = true;
      const fresh = events.current();
      try {
        const out = await call('getRunEvents', {
          id: r.workerId,
          runId: r.selectedRunId,
          after: r.lastSeq,
        });
        if (fresh()) append(out.items);
      } catch {
        // Next progress signal tries again.
      } finally {
        catchingUp = false;
      }
    },

    setRunsFollow(follow) {
      const r = get().runs;
      if (r) set({ runs: { ...r, follow } });
    },
  };

  /** The open drawer learns that its worker's run moved on. */
  const workersChanged = (prev: FusedWorker[] | null, items: FusedWorker[]): void => {
    const r = get().runs;
    if (!r) return;
    const before = prev?.find((w) => w.id === r.workerId);
    const after = items.find((w) => w.id === r.workerId);
    if (!after) return;
    const runChanged = before?.currentRunId !== after.currentRunId;
    if (
      runChanged &&
      after.currentRunId !== null &&
      !r.list?.some((x) => x.runId === after.currentRunId)
    )
      void actions.refreshRunsList();
    const progressed =
      runChanged || before?.lastEvent?.at !== after.lastEvent?.at || before?.busy !== after.busy;
    const touchesSelected =
      r.selectedRunId !== null &&
      (after.currentRunId === r.selectedRunId || before?.currentRunId === r.selectedRunId);
    if (progressed && touchesSelected) void actions.catchUpRunEvents();
  };

  return {
    state: { runs: null },
    actions,
    workersChanged,
    frames: {
      'run-events'(frame) {
        const r = get().runs;
        if (!r || r.workerId !== frame.id) return;
        // A run ended: the list (and its timeline) shows how.
        if (frame.items.some((e) => e.type === 'result')) void actions.refreshRunsList();
        if (r.selectedRunId !== frame.runId) return;
        if (!r.eventsLoading) return append(frame.items);
        pending.push(...frame.items);
        if (pending.length > limits.runEvents) pending.splice(0, pending.length - limits.runEvents);
      },
      dropped() {
        const r = get().runs;
        if (r?.selectedRunId) void loadEvents(r.selectedRunId);
      },
    },
    reconnected() {
      if (!get().runs) return;
      void actions.refreshRunsList();
      void actions.catchUpRunEvents();
    },
    drawer: {
      kind: 'runs',
      close() {
        drawer.next();
        events.next();
        pending = [];
        set({ runs: null });
      },
    },
  };
}
