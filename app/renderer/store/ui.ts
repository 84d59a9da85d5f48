// The page around the data: the connection banner, the notice bar, the open dialog and drawer,
// and the viewer's own choices (wrapped log lines), remembered across visits.
import type { ConnectionState } from '../../shared/index.ts';
import type { Verb } from '../model/workers.ts';
import { oneShot, type Slice, type SliceCtx } from './context.ts';

const RECONNECTED_BANNER_MS = 3_000;
/** The viewer's choice of wrapped log lines, in `prefs`. */
export const LOG_WRAP_PREF = 'pipedai.logWrap';
const NOTICE_OK_MS = 8_000;

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

export interface UiState {
  connection: ConnectionState;
  /** True for a moment after the connection came back ("Reconnected"). */
  reconnected: boolean;
  notice: Notice | null;
  dialog: Dialog | null;
  drawer: Drawer | null;
  /** Log lines wrap at the drawer's width instead of scrolling sideways. */
  logWrap: boolean;
}

export interface UiActions {
  notify(tone: NoticeTone, text: string): void;
  dismissNotice(): void;
  openDialog(dialog: Dialog): void;
  closeDialog(): void;
  /** Run what the open confirmation dialog asks for. */
  confirmDialog(): void;
  closeDrawer(): void;
  setLogWrap(wrap: boolean): void;
}

export type UiSlice = Slice<UiState, UiActions> & {
  /** Record the new connection state; returns the one before. */
  connectionChanged(state: ConnectionState): ConnectionState;
};

export function uiSlice(ctx: SliceCtx): UiSlice {
  const { set, get } = ctx;
  const reconnectedBanner = oneShot(ctx.timers);
  const noticeTimer = oneShot(ctx.timers);
  const { prefs } = ctx;

  return {
    state: {
      connection: 'connecting',
      reconnected: false,
      notice: null,
      dialog: null,
      drawer: null,
      logWrap: prefs.get(LOG_WRAP_PREF) === 'on',
    },
    connectionChanged(state) {
      const prev = get().connection;
      if (prev === state) return prev;
      set({ connection: state });
      if (state !== 'open') {
        reconnectedBanner.cancel();
        set({ reconnected: false });
      } else if (prev === 'reconnecting') {
        set({ reconnected: true });
        reconnectedBanner.start(() => set({ reconnected: false }), RECONNECTED_BANNER_MS);
      }
      return prev;
    },
    frames: {
      dropped(frame) {
        ctx
          .actions()
          .notify(
            'warn',
            `The connection fell behind and ${frame.dropped} live ${frame.dropped === 1 ? 'update was' : 'updates were'} lost; the view was refreshed.`,
          );
      },
    },
    actions: {
      notify(tone, text) {
        noticeTimer.cancel();
        set({ notice: { tone, text } });
        if (tone === 'ok')
          noticeTimer.start(() => {
            if (get().notice?.text === text) set({ notice: null });
          }, NOTICE_OK_MS);
      },
      dismissNotice() {
        set({ notice: null });
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
        if (d?.kind === 'confirm') void ctx.actions().runVerb(d.workerId, d.verb);
        if (d?.kind === 'self-upgrade') void ctx.actions().upgradeSelf();
      },
      closeDrawer() {
        ctx.showDrawer(null);
      },
      setLogWrap(wrap) {
        set({ logWrap: wrap });
        prefs.set(LOG_WRAP_PREF, wrap ? 'on' : 'off');
      },
    },
  };
}
