// "Connect this host" from the page: the daemon starts device pairing, the page shows the code,
// then follows it (a `pairing` frame, or a poll every 2 s) until approved, failed or expired, and
// lands on the new worker once.
import type { CommandInput, FusedWorker, PairingStart, PairingStatus } from '../../shared/index.ts';
import { toCommandError } from '../bridge/errors.ts';
import { oneShot, type Slice, type SliceCtx } from './context.ts';

export const PAIRING_POLL_MS = 2_000;

export type PairingPhase = 'idle' | 'starting' | 'waiting' | 'approved' | 'failed';
export interface PairingView {
  phase: PairingPhase;
  start: PairingStart | null;
  error: string | null;
  workerId: string | null;
}

export interface PairingActions {
  startPairing(input: CommandInput<'startPairing'>): Promise<void>;
  cancelPairing(): Promise<void>;
  resetPairing(): void;
}

const IDLE_PAIRING: PairingView = { phase: 'idle', start: null, error: null, workerId: null };

export function pairingSlice(ctx: SliceCtx): Slice<{ pairing: PairingView }, PairingActions> {
  const { set, get, call } = ctx;
  const pollTimer = oneShot(ctx.timers);

  const schedulePoll = (): void => {
    pollTimer.cancel();
    if (get().pairing.phase === 'waiting') pollTimer.start(() => void poll(), PAIRING_POLL_MS);
  };

  const apply = (status: PairingStatus): void => {
    const p = get().pairing;
    if (p.phase !== 'waiting') return;
    if (status.state === 'waiting') return schedulePoll();
    pollTimer.cancel();
    if (status.state === 'approved') {
      set({ pairing: { ...p, phase: 'approved', workerId: status.workerId ?? null } });
      if (status.workerId) ctx.actions().highlight(status.workerId);
      void ctx.actions().loadWorkers();
    } else {
      set({ pairing: { ...p, phase: 'failed', error: status.error ?? 'the pairing failed' } });
    }
  };

  async function poll(): Promise<void> {
    const p = get().pairing;
    if (p.phase !== 'waiting' || !p.start) return;
    if (Date.parse(p.start.expiresAt) < ctx.now()) {
      set({ pairing: { ...p, phase: 'failed', error: 'the code expired before it was approved' } });
      return;
    }
    try {
      apply(await call('pairingStatus', { pairingId: p.start.pairingId }));
    } catch (e) {
      if (toCommandError(e).code === 'not-found') {
        set({
          pairing: {
            ...get().pairing,
            phase: 'failed',
            error: 'the orchestrator no longer knows this pairing (it restarted); start again',
          },
        });
      } else schedulePoll(); // unreachable for a moment: keep asking until it expires
    }
  }

  return {
    state: { pairing: IDLE_PAIRING },
    actions: {
      async startPairing(input) {
        if (get().pairing.phase === 'starting' || get().pairing.phase === 'waiting') return;
        set({ pairing: { ...IDLE_PAIRING, phase: 'starting' } });
        try {
          const start = await call('startPairing', input);
          set({ pairing: { phase: 'waiting', start, error: null, workerId: null } });
          schedulePoll();
        } catch (e) {
          set({ pairing: { ...IDLE_PAIRING, phase: 'failed', error: toCommandError(e).message } });
        }
      },

      async cancelPairing() {
        const p = get().pairing;
        pollTimer.cancel();
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
        pollTimer.cancel();
        set({ pairing: IDLE_PAIRING });
      },
    },
    frames: {
      pairing(frame) {
        if (get().pairing.start?.pairingId === frame.pairingId) apply(frame.status);
      },
    },
    reconnected() {
      if (get().pairing.phase === 'waiting') void poll();
    },
    /** Land on the new worker once, then forget the pairing (later frames must not re-highlight). */
    workersChanged(_prev: FusedWorker[] | null, items: FusedWorker[]) {
      const p = get().pairing;
      if (p.phase === 'approved' && p.workerId && items.some((w) => w.id === p.workerId)) {
        ctx.actions().highlight(p.workerId);
        set({ pairing: IDLE_PAIRING });
      }
    },
    start() {
      return () => pollTimer.cancel();
    },
  };
}
