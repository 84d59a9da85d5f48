// The worker runtime: the install in progress, or the last one (every `runtime` frame replaces
// it; the daemon's snapshot brings the current one on each connect), and rollbacks told as
// notices (an automatic one is bad news, one the operator asked for is not).
import type { RuntimeInstall } from '../../shared/index.ts';
import { rollbackNotice } from '../model/runtime.ts';
import type { Slice, SliceCtx } from './context.ts';

export interface RuntimeState {
  runtimeInstall: RuntimeInstall | null;
}

export function runtimeSlice(ctx: SliceCtx): Slice<RuntimeState, object> {
  return {
    state: { runtimeInstall: null },
    actions: {},
    frames: {
      runtime(frame) {
        ctx.set({ runtimeInstall: frame.install });
      },
      rollback(frame) {
        const r = frame.rollback;
        ctx.actions().notify(r.automatic ? 'err' : 'ok', rollbackNotice(r));
      },
    },
  };
}
