// The workers table: the fused list (frames replace or patch it), each row's running command and
// its result, and the worker to bring into view.
import { runWorkerVerb, type CommandInput, type FusedWorker } from '../../shared/index.ts';
import { toCommandError } from '../bridge/errors.ts';
import { VERBS, upgradeTarget, type Verb } from '../model/workers.ts';
import { generation, oneShot, type Slice, type SliceCtx } from './context.ts';

const ROW_OK_MS = 8_000;
const HIGHLIGHT_MS = 6_000;

export interface RowState {
  pending: Verb | null;
  result: { ok: boolean; text: string } | null;
}

export type BuildResult = { ok: true; id: string } | { ok: false; error: string; field?: string };

export interface WorkersState {
  /** null until the first answer. */
  workers: FusedWorker[] | null;
  workersError: string | null;
  rows: Record<string, RowState>;
  /** A worker to bring into view (just built or paired). */
  highlight: string | null;
}

export interface WorkersActions {
  loadWorkers(): Promise<void>;
  /** Ask for a verb: destructive ones open a confirmation first. */
  requestVerb(workerId: string, verb: Verb): void;
  runVerb(workerId: string, verb: Verb): Promise<void>;
  dismissRowResult(workerId: string): void;
  build(input: CommandInput<'buildWorker'>): Promise<BuildResult>;
  /** Bring a worker into view for a moment. */
  highlight(workerId: string): void;
}

const EMPTY_ROW: RowState = { pending: null, result: null };
const message = (e: unknown): string => toCommandError(e).message;

export function workersSlice(ctx: SliceCtx): Slice<WorkersState, WorkersActions> {
  const { set, get, call, timers } = ctx;
  /** Each `status` frame starts a generation: an older list answer cannot overwrite it. */
  const list = generation();
  const highlightTimer = oneShot(timers);
  const rowTimers = new Map<string, unknown>();
  const worker = (id: string): FusedWorker | undefined => get().workers?.find((w) => w.id === id);
  const setRow = (id: string, row: RowState): void =>
    set((s) => ({ rows: { ...s.rows, [id]: row } }));

  const actions: WorkersActions = {
    async loadWorkers() {
      const fresh = list.current();
      try {
        const out = await call('listWorkers', {});
        if (!fresh()) return; // a status frame is newer
        const prev = get().workers;
        set({ workers: out.items, workersError: null });
        ctx.workersChanged(prev, out.items);
      } catch (e) {
        if (fresh()) set({ workersError: message(e) });
      }
    },

    requestVerb(workerId, verb) {
      if (VERBS[verb].confirm) ctx.actions().openDialog({ kind: 'confirm', verb, workerId });
      else void actions.runVerb(workerId, verb);
    },

    async runVerb(id, verb) {
      const w = worker(id);
      const row = get().rows[id] ?? EMPTY_ROW;
      // One command per row at a time, except Force stop, which cuts short a draining stop.
      if (row.pending && !(verb === 'force-stop' && row.pending !== 'force-stop')) return;
      const prevTimer = rowTimers.get(id);
      if (prevTimer !== undefined) timers.clearTimeout(prevTimer);
      const label = w?.label ?? id;
      const fail = (text: string): void =>
        setRow(id, { pending: null, result: { ok: false, text } });
      if (verb === 'upgrade' && (!w || !upgradeTarget(w))) {
        return fail('the latest version is not known yet');
      }
      setRow(id, { pending: verb, result: null });
      try {
        let done = VERBS[verb].done;
        if (verb === 'upgrade') {
          const out = await call('upgradeWorker', { id, version: upgradeTarget(w!)! });
          const target = out.target.replace(/^.*@/, '');
          const secs = Math.round(out.durationMs / 1000);
          done = `upgraded v${out.oldVersion ?? '?'} → v${target} in ${secs}s`;
        } else {
          const out = await runWorkerVerb(call, verb, id);
          if (out.action === 'rollback') done = `rolled back ${out.from} → ${out.to}`;
          if (out.action === 'install-runtime') done = `runtime ${out.version} installed`;
        }
        setRow(id, { pending: null, result: { ok: true, text: done } });
        rowTimers.set(
          id,
          timers.setTimeout(() => {
            rowTimers.delete(id);
            const r = get().rows[id];
            if (r?.result?.ok) setRow(id, { ...r, result: null });
          }, ROW_OK_MS),
        );
        if (verb === 'delete') ctx.actions().notify('ok', `deleted ${label}`);
        // Frames carry the change; without a live connection, ask.
        if (get().connection !== 'open') void actions.loadWorkers();
      } catch (e) {
        // A failed install is told in full by the runtime card above the table.
        const text = verb === 'install-runtime' ? message(e).split(': ')[0] : message(e);
        fail(`${VERBS[verb].label} failed: ${text}`);
      }
    },

    dismissRowResult(id) {
      const r = get().rows[id];
      if (r) setRow(id, { ...r, result: null });
    },

    async build(input) {
      try {
        const out = await call('buildWorker', input);
        ctx.actions().notify('ok', `built ${input.label ?? input.apiUrl}`);
        actions.highlight(out.id);
        if (get().connection !== 'open') void actions.loadWorkers();
        return { ok: true, id: out.id };
      } catch (e) {
        const err = toCommandError(e);
        return err.field
          ? { ok: false, error: err.message, field: err.field }
          : { ok: false, error: err.message };
      }
    },

    highlight(id) {
      set({ highlight: id });
      highlightTimer.start(() => set({ highlight: null }), HIGHLIGHT_MS);
    },
  };

  return {
    state: { workers: null, workersError: null, rows: {}, highlight: null },
    actions,
    frames: {
      status(frame) {
        list.next();
        const prev = get().workers;
        const ids = new Set(frame.items.map((w) => w.id));
        const rows = Object.fromEntries(
          Object.entries(get().rows).filter(([id, row]) => ids.has(id) || row.pending),
        );
        set({ workers: frame.items, workersError: null, rows });
        ctx.workersChanged(prev, frame.items);
      },
      'worker-state'(frame) {
        const ws = get().workers;
        const i = ws?.findIndex((w) => w.id === frame.status.id) ?? -1;
        if (!ws || i < 0) return;
        const next = [...ws];
        next[i] = { ...ws[i]!, local: frame.status };
        set({ workers: next });
      },
      dropped() {
        void actions.loadWorkers();
      },
    },
  };
}
