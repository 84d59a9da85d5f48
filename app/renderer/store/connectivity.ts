// The network pill and its drawer: the latest sample and a bounded history, from frames and the
// daemon's recent history.
import type { ConnectivitySample } from '../../shared/index.ts';
import { toCommandError } from '../bridge/errors.ts';
import { addSample, mergeHistory } from '../model/connectivity.ts';
import type { Slice, SliceCtx } from './context.ts';

export interface ConnectivityState {
  current: ConnectivitySample | null;
  /** Oldest first. */
  history: ConnectivitySample[];
  loaded: boolean;
  error: string | null;
}

export interface ConnectivityActions {
  loadConnectivity(): Promise<void>;
  openConnectivity(): void;
}

export function connectivitySlice(
  ctx: SliceCtx,
): Slice<{ connectivity: ConnectivityState }, ConnectivityActions> {
  const { set, get, call, limits } = ctx;

  const actions: ConnectivityActions = {
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
        set({
          connectivity: { ...get().connectivity, loaded: true, error: toCommandError(e).message },
        });
      }
    },

    openConnectivity() {
      ctx.showDrawer({ kind: 'connectivity' });
      void actions.loadConnectivity();
    },
  };

  return {
    state: { connectivity: { current: null, history: [], loaded: false, error: null } },
    actions,
    frames: {
      connectivity(frame) {
        const c = get().connectivity;
        const current = c.current && c.current.ts > frame.sample.ts ? c.current : frame.sample;
        set({
          connectivity: {
            ...c,
            current,
            history: addSample(c.history, frame.sample, limits.connectivity),
          },
        });
      },
    },
    reconnected() {
      void actions.loadConnectivity();
    },
  };
}
