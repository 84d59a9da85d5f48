// The dashboard's state (zustand), in slices (zustand's slices pattern): workers, logs, runs,
// pairing, connectivity, diagnostics, self-upgrade, resources, the worker runtime and the page around them. Event frames
// drive it through a kind → slices table; on every (re)connect each slice reloads what frames do
// not carry (the daemon's snapshot brings the workers and the latest runtime install). Commands go
// through the Bridge; nothing here knows whether that is IPC or HTTP.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Bridge, ConnectionState, EventFrame, EventKind } from '../../shared/index.ts';
import {
  connectivitySlice,
  type ConnectivityActions,
  type ConnectivityState,
} from './connectivity.ts';
import {
  LIMITS,
  memoryPrefs,
  realTimers,
  type FrameHandlers,
  type Slice,
  type SliceCtx,
  type StoreDeps,
} from './context.ts';
import { diagnosticsSlice, type DiagnosticsActions, type DiagnosticsState } from './diagnostics.ts';
import { logsSlice, type LogsActions, type LogsState } from './logs.ts';
import { pairingSlice, type PairingActions, type PairingView } from './pairing.ts';
import { runsSlice, type RunsActions, type RunsState } from './runs.ts';
import { resourcesSlice, type ResourcesActions, type ResourcesState } from './resources.ts';
import { runtimeSlice, type RuntimeState } from './runtime.ts';
import {
  selfUpgradeSlice,
  type SelfUpgradeActions,
  type SelfUpgradeState,
} from './self-upgrade.ts';
import { uiSlice, type UiActions, type UiState } from './ui.ts';
import { workersSlice, type WorkersActions, type WorkersState } from './workers.ts';

export { LIMITS, memoryPrefs, type Prefs, type StoreDeps, type Timers } from './context.ts';
export type { ConnectivityState } from './connectivity.ts';
export type { DiagnosticsState } from './diagnostics.ts';
export type { LogsState } from './logs.ts';
export { PAIRING_POLL_MS, type PairingPhase, type PairingView } from './pairing.ts';
export type { RunsState } from './runs.ts';
export type { ResourcesState } from './resources.ts';
export { SELF_RECHECK_MS } from './self-upgrade.ts';
export type { Dialog, Drawer, Notice, NoticeTone } from './ui.ts';
export type { BuildResult, RowState } from './workers.ts';

export interface StoreActions {
  /** Subscribe to the bridge and load what frames do not carry; returns the teardown. */
  start(): () => void;
  applyFrame(frame: EventFrame): void;
  setConnection(state: ConnectionState): void;
}

export type Actions = StoreActions &
  UiActions &
  WorkersActions &
  SelfUpgradeActions &
  ConnectivityActions &
  DiagnosticsActions &
  LogsActions &
  RunsActions &
  ResourcesActions &
  PairingActions;

export type AppState = UiState &
  WorkersState &
  SelfUpgradeState &
  RuntimeState & {
    connectivity: ConnectivityState;
    diagnostics: DiagnosticsState;
    logs: LogsState | null;
    runs: RunsState | null;
    resources: ResourcesState;
    pairing: PairingView;
    actions: Actions;
  };

export type AppStore = StoreApi<AppState>;

type AnySlice = Slice<object, object>;

export function createAppStore(deps: StoreDeps): AppStore {
  const { bridge } = deps;
  const timers = deps.timers ?? realTimers;
  return createStore<AppState>()((set, get) => {
    let slices: AnySlice[] = [];
    const ctx: SliceCtx = {
      set,
      get,
      call: bridge.invoke.bind(bridge) as Bridge['invoke'],
      timers,
      now: deps.now ?? Date.now,
      limits: { ...LIMITS, ...deps.limits },
      scheduleFlush: deps.scheduleFlush ?? ((fn) => void timers.setTimeout(fn, 50)),
      prefs: deps.prefs ?? memoryPrefs(),
      actions: () => get().actions,
      showDrawer(drawer) {
        for (const s of slices) if (s.drawer && s.drawer.kind !== drawer?.kind) s.drawer.close();
        set({ drawer });
      },
      workersChanged(prev, next) {
        for (const s of slices) s.workersChanged?.(prev, next);
      },
    };
    const ui = uiSlice(ctx);
    // The order is the order slices hear frames and reconnects in.
    slices = [
      ui,
      workersSlice(ctx),
      selfUpgradeSlice(ctx),
      connectivitySlice(ctx),
      diagnosticsSlice(ctx),
      logsSlice(ctx),
      runsSlice(ctx),
      resourcesSlice(ctx),
      pairingSlice(ctx),
      runtimeSlice(ctx),
    ] as AnySlice[];

    /** Frame kind → the slices' handlers, in slice order. */
    const onFrame = new Map<EventKind, Array<(frame: EventFrame) => void>>();
    for (const s of slices) {
      for (const [kind, handler] of Object.entries(s.frames ?? {}) as Array<
        [EventKind, FrameHandlers[EventKind]]
      >) {
        if (!handler) continue;
        const list = onFrame.get(kind) ?? [];
        list.push(handler as (frame: EventFrame) => void);
        onFrame.set(kind, list);
      }
    }

    const store: StoreActions = {
      start() {
        const offFrames = bridge.subscribe((f) => get().actions.applyFrame(f));
        const offConnection = bridge.onConnection((s) => get().actions.setConnection(s));
        void get().actions.loadWorkers();
        const stops = slices.flatMap((s) => (s.start ? [s.start()] : []));
        return () => {
          offFrames();
          offConnection();
          for (const stop of stops) stop();
        };
      },
      applyFrame(frame) {
        for (const handle of onFrame.get(frame.kind) ?? []) handle(frame);
      },
      setConnection(state) {
        const prev = ui.connectionChanged(state);
        if (prev === state || state !== 'open') return;
        for (const s of slices) s.reconnected?.(prev);
      },
    };

    return Object.assign({}, ...slices.map((s) => s.state), {
      actions: Object.assign({}, store, ...slices.map((s) => s.actions)) as Actions,
    }) as AppState;
  });
}
