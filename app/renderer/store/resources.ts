// CPU and memory of each worker's process tree: the daemon's last ten minutes on (re)connect,
// then one sample a frame. The sparklines and the header's host totals read it.
import type { ResourceSample } from '../../shared/index.ts';
import { addResourceSample, MAX_SAMPLES } from '../model/resources.ts';
import type { Slice, SliceCtx } from './context.ts';

export interface ResourcesState {
  /** Oldest first. */
  samples: ResourceSample[];
  windowMs: number;
  /** False where the daemon's OS gives no figures (they read n/a). */
  available: boolean;
}

export interface ResourcesActions {
  loadResources(): Promise<void>;
}

const TEN_MINUTES = 10 * 60_000;

export function resourcesSlice(
  ctx: SliceCtx,
): Slice<{ resources: ResourcesState }, ResourcesActions> {
  const { set, get, call } = ctx;
  const actions: ResourcesActions = {
    async loadResources() {
      try {
        const out = await call('getResources', {});
        const seen = new Set(out.samples.map((s) => s.at));
        // Frames that came while the answer was on its way stay.
        const later = get().resources.samples.filter((s) => !seen.has(s.at));
        const samples = [...out.samples, ...later].sort((a, b) => a.at - b.at).slice(-MAX_SAMPLES);
        set({ resources: { samples, windowMs: out.windowMs, available: out.available } });
      } catch {
        // An older daemon has no figures: the columns read n/a.
        set({ resources: { ...get().resources, available: false } });
      }
    },
  };
  return {
    state: { resources: { samples: [], windowMs: TEN_MINUTES, available: true } },
    actions,
    frames: {
      resources(frame) {
        const r = get().resources;
        set({
          resources: {
            ...r,
            available: true,
            samples: addResourceSample(r.samples, frame.sample, r.windowMs),
          },
        });
      },
    },
    start() {
      void actions.loadResources();
      return () => undefined;
    },
    reconnected() {
      void actions.loadResources();
    },
  };
}
