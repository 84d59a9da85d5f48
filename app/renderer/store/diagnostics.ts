// The Diagnostics drawer: the daemon's doctor report, asked for on open and on Refresh.
import type { Diagnostics } from '../../shared/index.ts';
import { toCommandError } from '../bridge/errors.ts';
import type { Slice, SliceCtx } from './context.ts';

export interface DiagnosticsState {
  report: Diagnostics | null;
  loading: boolean;
  error: string | null;
}

export interface DiagnosticsActions {
  openDiagnostics(): void;
  loadDiagnostics(): Promise<void>;
}

export function diagnosticsSlice(
  ctx: SliceCtx,
): Slice<{ diagnostics: DiagnosticsState }, DiagnosticsActions> {
  const { set, get, call } = ctx;

  const actions: DiagnosticsActions = {
    openDiagnostics() {
      ctx.showDrawer({ kind: 'diagnostics' });
      void actions.loadDiagnostics();
    },

    async loadDiagnostics() {
      if (get().diagnostics.loading) return;
      set({ diagnostics: { ...get().diagnostics, loading: true, error: null } });
      try {
        const report = await call('getDiagnostics', {});
        set({ diagnostics: { report, loading: false, error: null } });
      } catch (e) {
        set({
          diagnostics: { ...get().diagnostics, loading: false, error: toCommandError(e).message },
        });
      }
    },
  };

  return {
    state: { diagnostics: { report: null, loading: false, error: null } },
    actions,
  };
}
