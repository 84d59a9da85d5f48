// The orchestrator's own version, re-checked every minute, and its self-update: install, hand the
// running workers to the new daemon, and say how it went once the daemon is back. A desktop app
// instead restarts into the update electron-updater downloaded (restartToUpdate).
import type { SelfStatus } from '../../shared/index.ts';
import { toCommandError } from '../bridge/errors.ts';
import type { Slice, SliceCtx } from './context.ts';

export const SELF_RECHECK_MS = 60_000;

export interface SelfUpgradeState {
  self: SelfStatus | null;
  selfUpgrading: boolean;
}

export interface SelfUpgradeActions {
  refreshSelf(): Promise<void>;
  upgradeSelf(): Promise<void>;
}

export function selfUpgradeSlice(ctx: SliceCtx): Slice<SelfUpgradeState, SelfUpgradeActions> {
  const { set, get, call } = ctx;
  const notify = (...a: Parameters<ReturnType<SliceCtx['actions']>['notify']>): void =>
    ctx.actions().notify(...a);

  const actions: SelfUpgradeActions = {
    async refreshSelf() {
      try {
        set({ self: await call('getSelf', {}) });
      } catch {
        // The pill keeps its last value; the connection banner tells the story.
      }
    },

    async upgradeSelf() {
      const self = get().self;
      if (get().selfUpgrading) return;
      const desktop = self?.desktopUpdate;
      if (desktop?.state === 'ready') {
        // The desktop app: restart into the update it downloaded; workers keep running.
        set({ selfUpgrading: true });
        notify('info', `Restarting into v${desktop.version}; the workers keep running.`);
        try {
          await call('restartToUpdate', {});
        } catch (e) {
          set({ selfUpgrading: false });
          notify('err', `Restart to update failed: ${toCommandError(e).message}`);
        }
        return;
      }
      if (!self?.latest) return;
      set({ selfUpgrading: true });
      notify(
        'info',
        `Updating to v${self.latest}: the orchestrator installs it, then restarts; the workers keep running their runs. This page reconnects by itself.`,
      );
      try {
        await call('upgradeSelf', { version: self.latest });
        notify('info', `v${self.latest} installed; the orchestrator is restarting…`);
      } catch (e) {
        const err = toCommandError(e);
        if (err.code === 'unavailable') {
          notify('info', 'The orchestrator went away during the update; waiting for it…');
        } else {
          set({ selfUpgrading: false });
          notify('err', `Self-update failed: ${err.message}`);
        }
      }
    },
  };

  return {
    state: { self: null, selfUpgrading: false },
    actions,
    start() {
      const timer = ctx.timers.setInterval(() => void actions.refreshSelf(), SELF_RECHECK_MS);
      return () => ctx.timers.clearInterval(timer);
    },
    reconnected(prev) {
      void actions.refreshSelf().then(() => {
        if (!get().selfUpgrading || prev !== 'reconnecting') return;
        set({ selfUpgrading: false });
        const self = get().self;
        if (self)
          notify(
            self.stale ? 'warn' : 'ok',
            self.stale
              ? `The orchestrator is back, still on v${self.version}; the update did not take.`
              : `The orchestrator is back on v${self.version}.`,
          );
      });
    },
  };
}
