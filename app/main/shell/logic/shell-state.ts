// What the shell knows about the host, folded from the daemon's event frames: the fused workers,
// the latest connectivity verdict, the link to the daemon, and the shell's own settings.
import type {
  DesktopUpdate,
  EventFrame,
  FusedWorker,
  RuntimeInstall,
  Verdict,
} from '../../../shared/index.ts';
import type { LinkState } from '../../../shared/ipc.ts';
import type { HostMode } from '../../hosts/index.ts';
import type { CliLinkState } from './cli-link.ts';
import type { LoginItemState } from './login-item.ts';

export interface QuitProgress {
  /** Workers that had a process when the drain began. */
  total: number;
}

export interface ShellState {
  mode: HostMode;
  link: LinkState;
  /** null until the first status frame. */
  workers: FusedWorker[] | null;
  verdict: Verdict | null;
  /** When the current outage began (the first sample not online); null while online. */
  outageSince: number | null;
  /** The app's own update (electron-updater). */
  update: DesktopUpdate;
  /** null while unknown (not read yet, or the platform has no login item). */
  launchAtLogin: LoginItemState | null;
  quitting: QuitProgress | null;
  /** The worker runtime install in progress (null when none runs). */
  install: RuntimeInstall | null;
  /** macOS: the /usr/local/bin link to the CLI launcher; null where it is not offered. */
  cliTool: CliLinkState | null;
}

export function initialShellState(mode: HostMode): ShellState {
  return {
    mode,
    link: mode === 'own' ? 'open' : 'connecting',
    workers: null,
    verdict: null,
    outageSince: null,
    update: { state: 'idle' },
    launchAtLogin: null,
    quitting: null,
    install: null,
    cliTool: null,
  };
}

/** Fold one frame in; frames that do not change the view return the same object. */
export function applyFrame(state: ShellState, frame: EventFrame): ShellState {
  switch (frame.kind) {
    case 'status':
      return { ...state, workers: frame.items };
    case 'worker-state': {
      // Supervisor changes arrive before the next coalesced status frame: patch the local part.
      if (!state.workers?.some((w) => w.id === frame.status.id)) return state;
      return {
        ...state,
        workers: state.workers.map((w) =>
          w.id === frame.status.id ? { ...w, local: frame.status } : w,
        ),
      };
    }
    case 'connectivity': {
      const { verdict, ts } = frame.sample;
      const down = verdict === 'offline' || verdict === 'api-unreachable';
      return { ...state, verdict, outageSince: down ? (state.outageSince ?? ts) : null };
    }
    case 'runtime': {
      const done = frame.install.phase === 'done' || frame.install.phase === 'failed';
      return { ...state, install: done ? null : frame.install };
    }
    default:
      return state;
  }
}

/** Workers with a live process: what a drain waits for. */
export function liveWorkerCount(workers: readonly FusedWorker[] | null): number {
  // Stryker disable next-line ArrayDeclaration: a list of no workers has no live one, as an empty one
  return (workers ?? []).filter((w) => w.local?.pid != null).length;
}
