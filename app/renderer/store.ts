// The dashboard's state (zustand). Event frames drive it: `status` replaces the worker list,
// `worker-state` patches one row, `log` appends to the open Logs drawer, `connectivity` to the
// history; on every (re)connect the daemon's snapshot frames refresh everything. Commands go
// through the Bridge; nothing here knows whether that is IPC or HTTP.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  CommandInput,
  ConnectivitySample,
  EventFrame,
  FusedWorker,
  LogLine,
  PairingStart,
  PairingStatus,
  RunEvent,
  RunSummary,
  SelfStatus,
  Diagnostics,
} from '../shared/index.ts';
import { toCommandError } from './bridge/errors.ts';
import type { Bridge, ConnectionState } from './bridge/types.ts';
import { addSample, mergeHistory, CONNECTIVITY_CAP } from './model/connectivity.ts';
import { LogRing, type StreamFilter } from './model/log-ring.ts';
import { newerLines, tailLeavesGap } from './model/log-merge.ts';
import { VERBS, upgradeTarget, type Verb } from './model/workers.ts';

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

export const SELF_RECHECK_MS = 60_000;
export const PAIRING_POLL_MS = 2_000;
const RECONNECTED_BANNER_MS = 3_000;
const ROW_OK_MS = 8_000;
const NOTICE_OK_MS = 8_000;
const HIGHLIGHT_MS = 6_000;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof globalThis.setInterval>),
};

export interface RowState {
  pending: Verb | null;
  result: { ok: boolean; text: string } | null;
}

export type NoticeTone = 'ok' | 'info' | 'warn' | 'err';
export interface Notice {
  tone: NoticeTone;
  text: string;
}

export type Dialog =
  { kind: 'confirm'; verb: Verb; workerId: string } | { kind: 'self-upgrade' } | { kind: 'build' };

export type Drawer =
  | { kind: 'logs'; workerId: string }
  | { kind: 'runs'; workerId: string }
  | { kind: 'connectivity' }
  | { kind: 'diagnostics' };

/** The Diagnostics drawer: the daemon's doctor report, asked for on open and on Refresh. */
export interface DiagnosticsState {
  report: Diagnostics | null;
  loading: boolean;
  error: string | null;
}

export interface LogsState {
  workerId: string;
  label: string;
  /** Mutable ring; `rev` changes whenever it does. */
  ring: LogRing;
  rev: number;
  loading: boolean;
  error: string | null;
  /** Live updates lost because the connection fell behind (a `dropped` frame). */
  lostFrames: number;
  /** Lines may be missing after a reconnect (more output than one tail holds). */
  gap: boolean;
  stream: StreamFilter;
  search: string;
  follow: boolean;
}

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

export interface ConnectivityState {
  current: ConnectivitySample | null;
  /** Oldest first. */
  history: ConnectivitySample[];
  loaded: boolean;
  error: string | null;
}

export type PairingPhase = 'idle' | 'starting' | 'waiting' | 'approved' | 'failed';
export interface PairingView {
  phase: PairingPhase;
  start: PairingStart | null;
  error: string | null;
  workerId: string | null;
}

export type BuildResult = { ok: true; id: string } | { ok: false; error: string; field?: string };

export interface Actions {
  /** Subscribe to the bridge and load what frames do not carry; returns the teardown. */
  start(): () => void;
  applyFrame(frame: EventFrame): void;
  setConnection(state: ConnectionState): void;
  loadWorkers(): Promise<void>;
  refreshSelf(): Promise<void>;
  loadConnectivity(): Promise<void>;
  /** Ask for a verb: destructive ones open a confirmation first. */
  requestVerb(workerId: string, verb: Verb): void;
  runVerb(workerId: string, verb: Verb): Promise<void>;
  dismissRowResult(workerId: string): void;
  openDialog(dialog: Dialog): void;
  closeDialog(): void;
  /** Run what the open confirmation dialog asks for. */
  confirmDialog(): void;
  build(input: CommandInput<'buildWorker'>): Promise<BuildResult>;
  upgradeSelf(): Promise<void>;
  openLogs(workerId: string): Promise<void>;
  reloadLogs(): Promise<void>;
  setLogView(patch: Partial<Pick<LogsState, 'stream' | 'search' | 'follow'>>): void;
  openRuns(workerId: string): Promise<void>;
  refreshRunsList(): Promise<void>;
  selectRun(runId: string): Promise<void>;
  catchUpRunEvents(): Promise<void>;
  setRunsFollow(follow: boolean): void;
  openConnectivity(): void;
  openDiagnostics(): void;
  loadDiagnostics(): Promise<void>;
  closeDrawer(): void;
  startPairing(input: CommandInput<'startPairing'>): Promise<void>;
  cancelPairing(): Promise<void>;
  resetPairing(): void;
  notify(tone: NoticeTone, text: string): void;
  dismissNotice(): void;
}

export interface AppState {
  connection: ConnectionState;
  /** True for a moment after the connection came back ("Reconnected"). */
  reconnected: boolean;
  /** null until the first answer. */
  workers: FusedWorker[] | null;
  workersError: string | null;
  rows: Record<string, RowState>;
  /** A worker to bring into view (just built or paired). */
  highlight: string | null;
  self: SelfStatus | null;
  selfUpgrading: boolean;
  connectivity: ConnectivityState;
  diagnostics: DiagnosticsState;
  notice: Notice | null;
  dialog: Dialog | null;
  drawer: Drawer | null;
  logs: LogsState | null;
  runs: RunsState | null;
  pairing: PairingView;
  actions: Actions;
}

export type AppStore = StoreApi<AppState>;

export interface StoreDeps {
  bridge: Bridge;
  timers?: Timers;
  now?: () => number;
  /** Coalesces log appends into one render (default: 50 ms). */
  scheduleFlush?: (fn: () => void) => void;
  limits?: Partial<typeof LIMITS>;
}

const IDLE_PAIRING: PairingView = { phase: 'idle', start: null, error: null, workerId: null };
const EMPTY_ROW: RowState = { pending: null, result: null };

export function createAppStore(deps: StoreDeps): AppStore {
  const { bridge } = deps;
  const timers = deps.timers ?? realTimers;
  const now = deps.now ?? Date.now;
  const limits = { ...LIMITS, ...deps.limits };
  const scheduleFlush = deps.scheduleFlush ?? ((fn) => void timers.setTimeout(fn, 50));

  // Bookkeeping that views never read.
  /** Bumped by every `status` frame, so an older listWorkers answer cannot overwrite a newer frame. */
  let statusRev = 0;
  /** Bumped when a drawer opens or closes, so answers for a closed drawer are ignored. */
  let logsGen = 0;
  let runsGen = 0;
  let eventsGen = 0;
  let catchingUp = false;
  let logsPending: LogLine[] = [];
  let flushQueued = false;
  let pairingTimer: unknown = null;
  let reconnectedTimer: unknown = null;
  let noticeTimer: unknown = null;
  let highlightTimer: unknown = null;
  const rowTimers = new Map<string, unknown>();

  const store = createStore<AppState>()((set, get) => {
    const call = bridge.invoke.bind(bridge);
    const worker = (id: string): FusedWorker | undefined => get().workers?.find((w) => w.id === id);
    const message = (e: unknown): string => toCommandError(e).message;

    const setRow = (id: string, row: RowState): void =>
      set((s) => ({ rows: { ...s.rows, [id]: row } }));

    const highlight = (id: string): void => {
      if (highlightTimer !== null) timers.clearTimeout(highlightTimer);
      set({ highlight: id });
      highlightTimer = timers.setTimeout(() => {
        highlightTimer = null;
        set({ highlight: null });
      }, HIGHLIGHT_MS);
    };

    const queueLogFlush = (): void => {
      if (flushQueued) return;
      flushQueued = true;
      scheduleFlush(() => {
        flushQueued = false;
        const l = get().logs;
        if (l) set({ logs: { ...l, rev: l.rev + 1 } });
      });
    };

    const patchLogs = (gen: number, patch: Partial<LogsState>): void => {
      const l = get().logs;
      if (l && gen === logsGen) set({ logs: { ...l, ...patch, rev: l.rev + 1 } });
    };

    const patchRuns = (gen: number, patch: Partial<RunsState>): void => {
      const r = get().runs;
      if (r && gen === runsGen) set({ runs: { ...r, ...patch } });
    };

    /** Append events newer than what we hold, within the limit. */
    const appendEvents = (items: readonly RunEvent[]): void => {
      const r = get().runs;
      if (!r) return;
      const fresh = items.filter((e) => r.lastSeq === null || e.seq > r.lastSeq);
      if (fresh.length === 0) return;
      let events = [...r.events, ...fresh];
      let truncated = r.truncated;
      if (events.length > limits.runEvents) {
        truncated += events.length - limits.runEvents;
        events = events.slice(events.length - limits.runEvents);
      }
      const lastSeq = Math.max(r.lastSeq ?? -Infinity, ...fresh.map((e) => e.seq));
      set({ runs: { ...r, events, truncated, lastSeq } });
    };

    const loadRunEvents = async (runId: string): Promise<void> => {
      const r = get().runs;
      if (!r) return;
      const gen = runsGen;
      const eg = ++eventsGen;
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
        if (eg !== eventsGen) return;
        patchRuns(gen, { eventsLoading: false });
        appendEvents(out.items);
      } catch (e) {
        if (eg === eventsGen) patchRuns(gen, { eventsLoading: false, eventsError: message(e) });
      }
    };

    const catchUpLogs = async (): Promise<void> => {
      const l = get().logs;
      if (!l || l.loading) return;
      const gen = logsGen;
      try {
        const out = await call('getLogs', { id: l.workerId, tail: limits.logTail });
        const cur = get().logs;
        if (!cur || gen !== logsGen) return;
        const gap = tailLeavesGap(cur.ring.last(), out.items, limits.logTail);
        cur.ring.pushAll(newerLines(cur.ring.lastTimestampRun(), out.items));
        patchLogs(gen, { gap: cur.gap || gap });
      } catch {
        // The next reconnect tries again; live lines keep coming meanwhile.
      }
    };

    const stopPairingPoll = (): void => {
      if (pairingTimer !== null) timers.clearTimeout(pairingTimer);
      pairingTimer = null;
    };

    const applyPairing = (status: PairingStatus): void => {
      const p = get().pairing;
      if (p.phase !== 'waiting') return;
      if (status.state === 'waiting') return schedulePairingPoll();
      stopPairingPoll();
      if (status.state === 'approved') {
        set({ pairing: { ...p, phase: 'approved', workerId: status.workerId ?? null } });
        if (status.workerId) highlight(status.workerId);
        void actions.loadWorkers();
      } else {
        set({
          pairing: { ...p, phase: 'failed', error: status.error ?? 'the pairing failed' },
        });
      }
    };

    const pollPairing = async (): Promise<void> => {
      pairingTimer = null;
      const p = get().pairing;
      if (p.phase !== 'waiting' || !p.start) return;
      if (Date.parse(p.start.expiresAt) < now()) {
        set({
          pairing: { ...p, phase: 'failed', error: 'the code expired before it was approved' },
        });
        return;
      }
      try {
        applyPairing(await call('pairingStatus', { pairingId: p.start.pairingId }));
      } catch (e) {
        const err = toCommandError(e);
        if (err.code === 'not-found') {
          set({
            pairing: {
              ...get().pairing,
              phase: 'failed',
              error: 'the orchestrator no longer knows this pairing (it restarted); start again',
            },
          });
        } else schedulePairingPoll(); // unreachable for a moment: keep asking until it expires
      }
    };

    function schedulePairingPoll(): void {
      stopPairingPoll();
      if (get().pairing.phase === 'waiting')
        pairingTimer = timers.setTimeout(() => void pollPairing(), PAIRING_POLL_MS);
    }

    /** React to a new worker list: the open Runs drawer learns that its run moved on. */
    const afterStatus = (prev: FusedWorker[] | null, items: FusedWorker[]): void => {
      const r = get().runs;
      if (r) {
        const before = prev?.find((w) => w.id === r.workerId);
        const after = items.find((w) => w.id === r.workerId);
        if (after) {
          const runChanged = before?.currentRunId !== after.currentRunId;
          if (
            runChanged &&
            after.currentRunId !== null &&
            !r.list?.some((x) => x.runId === after.currentRunId)
          )
            void actions.refreshRunsList();
          const progressed =
            runChanged ||
            before?.lastEvent?.at !== after.lastEvent?.at ||
            before?.busy !== after.busy;
          const touchesSelected =
            r.selectedRunId !== null &&
            (after.currentRunId === r.selectedRunId || before?.currentRunId === r.selectedRunId);
          if (progressed && touchesSelected) void actions.catchUpRunEvents();
        }
      }
      const p = get().pairing;
      // Land on the new worker once, then forget the pairing (later frames must not re-highlight).
      if (p.phase === 'approved' && p.workerId && items.some((w) => w.id === p.workerId)) {
        highlight(p.workerId);
        set({ pairing: IDLE_PAIRING });
      }
    };

    const actions: Actions = {
      start() {
        const offFrames = bridge.subscribe((f) => actions.applyFrame(f));
        const offConnection = bridge.onConnection((s) => actions.setConnection(s));
        void actions.loadWorkers();
        const selfTimer = timers.setInterval(() => void actions.refreshSelf(), SELF_RECHECK_MS);
        return () => {
          offFrames();
          offConnection();
          timers.clearInterval(selfTimer);
          stopPairingPoll();
        };
      },

      applyFrame(frame) {
        switch (frame.kind) {
          case 'status': {
            statusRev++;
            const prev = get().workers;
            const ids = new Set(frame.items.map((w) => w.id));
            const rows = Object.fromEntries(
              Object.entries(get().rows).filter(([id, row]) => ids.has(id) || row.pending),
            );
            set({ workers: frame.items, workersError: null, rows });
            afterStatus(prev, frame.items);
            return;
          }
          case 'worker-state': {
            const ws = get().workers;
            const i = ws?.findIndex((w) => w.id === frame.status.id) ?? -1;
            if (!ws || i < 0) return;
            const next = [...ws];
            next[i] = { ...ws[i]!, local: frame.status };
            set({ workers: next });
            return;
          }
          case 'log': {
            const l = get().logs;
            if (!l || l.workerId !== frame.id) return;
            const line: LogLine = { ts: frame.ts, stream: frame.stream, line: frame.line };
            if (l.loading) {
              logsPending.push(line);
              if (logsPending.length > limits.logLines) logsPending.shift();
            } else {
              l.ring.push(line);
              queueLogFlush();
            }
            return;
          }
          case 'connectivity': {
            const c = get().connectivity;
            const current = c.current && c.current.ts > frame.sample.ts ? c.current : frame.sample;
            set({
              connectivity: {
                ...c,
                current,
                history: addSample(c.history, frame.sample, limits.connectivity),
              },
            });
            return;
          }
          case 'run-events': {
            const r = get().runs;
            if (r && r.workerId === frame.id && r.selectedRunId === frame.runId && !r.eventsLoading)
              appendEvents(frame.items);
            return;
          }
          case 'dropped': {
            actions.notify(
              'warn',
              `The connection fell behind and ${frame.dropped} live ${frame.dropped === 1 ? 'update was' : 'updates were'} lost; the view was refreshed.`,
            );
            void actions.loadWorkers();
            const l = get().logs;
            if (l) patchLogs(logsGen, { lostFrames: frame.dropped });
            const r = get().runs;
            if (r?.selectedRunId) void loadRunEvents(r.selectedRunId);
            return;
          }
          case 'pairing': {
            const p = get().pairing;
            if (p.start?.pairingId === frame.pairingId) applyPairing(frame.status);
            return;
          }
        }
      },

      setConnection(state) {
        const prev = get().connection;
        if (prev === state) return;
        set({ connection: state });
        if (state !== 'open') {
          if (reconnectedTimer !== null) timers.clearTimeout(reconnectedTimer);
          reconnectedTimer = null;
          set({ reconnected: false });
          return;
        }
        if (prev === 'reconnecting') {
          set({ reconnected: true });
          reconnectedTimer = timers.setTimeout(() => {
            reconnectedTimer = null;
            set({ reconnected: false });
          }, RECONNECTED_BANNER_MS);
        }
        // The snapshot brings workers (and the current sample); the rest is asked for.
        void actions.refreshSelf().then(() => {
          if (!get().selfUpgrading || prev !== 'reconnecting') return;
          set({ selfUpgrading: false });
          const self = get().self;
          if (self)
            actions.notify(
              self.stale ? 'warn' : 'ok',
              self.stale
                ? `The orchestrator is back, still on v${self.version}; the update did not take.`
                : `The orchestrator is back on v${self.version}.`,
            );
        });
        void actions.loadConnectivity();
        void catchUpLogs();
        const r = get().runs;
        if (r) {
          void actions.refreshRunsList();
          void actions.catchUpRunEvents();
        }
        if (get().pairing.phase === 'waiting') void pollPairing();
      },

      async loadWorkers() {
        const rev = statusRev;
        try {
          const out = await call('listWorkers', {});
          if (rev !== statusRev) return; // a status frame is newer
          const prev = get().workers;
          set({ workers: out.items, workersError: null });
          afterStatus(prev, out.items);
        } catch (e) {
          if (rev === statusRev) set({ workersError: message(e) });
        }
      },

      async refreshSelf() {
        try {
          set({ self: await call('getSelf', {}) });
        } catch {
          // The pill keeps its last value; the connection banner tells the story.
        }
      },

      async loadConnectivity() {
        try {
          const out = await call('getConnectivity', { tail: limits.connectivity });
          const c = get().connectivity;
          const current =
            c.current && out.current && c.current.ts > out.current.ts ? c.current : out.current;
          set({
            connectivity: {
              current: current ?? c.current,
              history: mergeHistory(out.history, c.history, limits.connectivity),
              loaded: true,
              error: null,
            },
          });
        } catch (e) {
          set({ connectivity: { ...get().connectivity, loaded: true, error: message(e) } });
        }
      },

      requestVerb(workerId, verb) {
        if (VERBS[verb].confirm) set({ dialog: { kind: 'confirm', verb, workerId } });
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
          switch (verb) {
            case 'start':
              await call('startWorker', { id });
              break;
            case 'stop':
              await call('stopWorker', { id });
              break;
            case 'force-stop':
              await call('stopWorker', { id, force: true });
              break;
            case 'restart':
              await call('restartWorker', { id });
              break;
            case 'disable':
              await call('disableWorker', { id });
              break;
            case 'enable':
              await call('enableWorker', { id });
              break;
            case 'delete':
              await call('deleteWorker', { id });
              break;
            case 'upgrade': {
              const out = await call('upgradeWorker', { id, version: upgradeTarget(w!)! });
              const target = out.target.replace(/^.*@/, '');
              const secs = Math.round(out.durationMs / 1000);
              done = `upgraded v${out.oldVersion ?? '?'} → v${target} in ${secs}s`;
              break;
            }
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
          if (verb === 'delete') actions.notify('ok', `deleted ${label}`);
          // Frames carry the change; without a live connection, ask.
          if (get().connection !== 'open') void actions.loadWorkers();
        } catch (e) {
          fail(`${VERBS[verb].label} failed: ${message(e)}`);
        }
      },

      dismissRowResult(id) {
        const r = get().rows[id];
        if (r) setRow(id, { ...r, result: null });
      },

      openDialog(dialog) {
        set({ dialog });
      },
      closeDialog() {
        set({ dialog: null });
      },
      confirmDialog() {
        const d = get().dialog;
        set({ dialog: null });
        if (d?.kind === 'confirm') void actions.runVerb(d.workerId, d.verb);
        if (d?.kind === 'self-upgrade') void actions.upgradeSelf();
      },

      async build(input) {
        try {
          const out = await call('buildWorker', input);
          actions.notify('ok', `built ${input.label ?? input.apiUrl}`);
          highlight(out.id);
          if (get().connection !== 'open') void actions.loadWorkers();
          return { ok: true, id: out.id };
        } catch (e) {
          const err = toCommandError(e);
          return err.field
            ? { ok: false, error: err.message, field: err.field }
            : { ok: false, error: err.message };
        }
      },

      async upgradeSelf() {
        const self = get().self;
        if (get().selfUpgrading) return;
        const desktop = self?.desktopUpdate;
        if (desktop?.state === 'ready') {
          // The desktop app: restart into the update it downloaded; workers keep running.
          set({ selfUpgrading: true });
          actions.notify('info', `Restarting into v${desktop.version}; the workers keep running.`);
          try {
            await call('restartToUpdate', {});
          } catch (e) {
            set({ selfUpgrading: false });
            actions.notify('err', `Restart to update failed: ${toCommandError(e).message}`);
          }
          return;
        }
        if (!self?.latest) return;
        set({ selfUpgrading: true });
        actions.notify(
          'info',
          `Updating to v${self.latest}: workers finish their runs, then the orchestrator restarts. This page reconnects by itself.`,
        );
        try {
          await call('upgradeSelf', { version: self.latest });
          actions.notify('info', `v${self.latest} installed; the orchestrator is restarting…`);
        } catch (e) {
          const err = toCommandError(e);
          if (err.code === 'unavailable') {
            actions.notify('info', 'The orchestrator went away during the update; waiting for it…');
          } else {
            set({ selfUpgrading: false });
            actions.notify('err', `Self-update failed: ${err.message}`);
          }
        }
      },

      async openLogs(workerId) {
        const w = worker(workerId);
        const prev = get().logs;
        const keep = prev?.workerId === workerId ? prev : null;
        const gen = ++logsGen;
        runsGen++;
        logsPending = [];
        set({
          drawer: { kind: 'logs', workerId },
          runs: null,
          logs: {
            workerId,
            label: w?.label ?? workerId,
            ring: new LogRing(limits.logLines),
            rev: 0,
            loading: true,
            error: null,
            lostFrames: 0,
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
          error = message(e);
        }
        const l = get().logs;
        if (!l || gen !== logsGen) return;
        l.ring.pushAll(items);
        l.ring.pushAll(newerLines(l.ring.lastTimestampRun(), logsPending));
        logsPending = [];
        patchLogs(gen, { loading: false, error });
      },

      async reloadLogs() {
        const l = get().logs;
        if (l) await actions.openLogs(l.workerId);
      },

      setLogView(patch) {
        const l = get().logs;
        if (l) set({ logs: { ...l, ...patch } });
      },

      async openRuns(workerId) {
        const w = worker(workerId);
        logsGen++;
        runsGen++;
        eventsGen++;
        set({
          drawer: { kind: 'runs', workerId },
          logs: null,
          runs: {
            workerId,
            label: w?.label ?? workerId,
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
        const gen = runsGen;
        try {
          const out = await call('listRuns', { id: r.workerId });
          const cur = get().runs;
          if (!cur || gen !== runsGen) return;
          set({ runs: { ...cur, list: out.items, listError: null } });
          const newest = out.items[0];
          if (cur.autoSelect && newest && newest.runId !== cur.selectedRunId)
            await loadRunEvents(newest.runId);
        } catch (e) {
          patchRuns(gen, { listError: message(e), list: get().runs?.list ?? null });
        }
      },

      async selectRun(runId) {
        const r = get().runs;
        if (!r) return;
        set({ runs: { ...r, autoSelect: r.list?.[0]?.runId === runId } });
        await loadRunEvents(runId);
      },

      async catchUpRunEvents() {
        const r = get().runs;
        if (!r?.selectedRunId || r.eventsLoading || catchingUp) return;
        if (r.lastSeq === null) return void loadRunEvents(r.selectedRunId);
        catchingUp = true;
        const eg = eventsGen;
        try {
          const out = await call('getRunEvents', {
            id: r.workerId,
            runId: r.selectedRunId,
            after: r.lastSeq,
          });
          if (eg === eventsGen) appendEvents(out.items);
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

      openConnectivity() {
        logsGen++;
        runsGen++;
        set({ drawer: { kind: 'connectivity' }, logs: null, runs: null });
        void actions.loadConnectivity();
      },

      openDiagnostics() {
        logsGen++;
        runsGen++;
        set({ drawer: { kind: 'diagnostics' }, logs: null, runs: null });
        void actions.loadDiagnostics();
      },

      async loadDiagnostics() {
        if (get().diagnostics.loading) return;
        set({ diagnostics: { ...get().diagnostics, loading: true, error: null } });
        try {
          const report = await call('getDiagnostics', {});
          set({ diagnostics: { report, loading: false, error: null } });
        } catch (e) {
          set({ diagnostics: { ...get().diagnostics, loading: false, error: message(e) } });
        }
      },

      closeDrawer() {
        logsGen++;
        runsGen++;
        eventsGen++;
        logsPending = [];
        set({ drawer: null, logs: null, runs: null });
      },

      async startPairing(input) {
        if (get().pairing.phase === 'starting' || get().pairing.phase === 'waiting') return;
        set({ pairing: { ...IDLE_PAIRING, phase: 'starting' } });
        try {
          const start = await call('startPairing', input);
          set({ pairing: { phase: 'waiting', start, error: null, workerId: null } });
          schedulePairingPoll();
        } catch (e) {
          set({ pairing: { ...IDLE_PAIRING, phase: 'failed', error: message(e) } });
        }
      },

      async cancelPairing() {
        const p = get().pairing;
        stopPairingPoll();
        set({ pairing: IDLE_PAIRING });
        if (p.start && p.phase === 'waiting') {
          try {
            await call('cancelPairing', { pairingId: p.start.pairingId });
          } catch {
            // It expires on its own.
          }
        }
      },

      resetPairing() {
        stopPairingPoll();
        set({ pairing: IDLE_PAIRING });
      },

      notify(tone, text) {
        if (noticeTimer !== null) timers.clearTimeout(noticeTimer);
        noticeTimer = null;
        set({ notice: { tone, text } });
        if (tone === 'ok') {
          noticeTimer = timers.setTimeout(() => {
            noticeTimer = null;
            if (get().notice?.text === text) set({ notice: null });
          }, NOTICE_OK_MS);
        }
      },

      dismissNotice() {
        set({ notice: null });
      },
    };

    return {
      connection: 'connecting',
      reconnected: false,
      workers: null,
      workersError: null,
      rows: {},
      highlight: null,
      self: null,
      selfUpgrading: false,
      connectivity: { current: null, history: [], loaded: false, error: null },
      diagnostics: { report: null, loading: false, error: null },
      notice: null,
      dialog: null,
      drawer: null,
      logs: null,
      runs: null,
      pairing: IDLE_PAIRING,
      actions,
    };
  });
  return store;
}
