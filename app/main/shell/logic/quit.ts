// What Quit does with the workers. An attached app leaves the daemon alone; an owning app drains
// its workers, unless a native service is installed to take them over (it adopts the running
// children through the child registry), in which case the person chooses. When the computer
// shuts down or the user logs off, nobody is there to answer: the service gets the workers if
// there is one, else they drain, and a watchdog ends the app at the deadline either way.
import type { CloseHow, HostMode } from '../../hosts/index.ts';

export type QuitPlan = { kind: 'close'; how: CloseHow } | { kind: 'ask' };

/**
 * Who asked: the person (tray, ⌘Q), a signal (SIGTERM, SIGINT, SIGHUP: a process or a terminal,
 * nobody to answer a dialog), or the operating system ending the session (shutdown, restart,
 * logout), which also allows only seconds.
 */
export type QuitReason = 'user' | 'signal' | 'os-ending';

/** The signals that quit the app the way Quit does (drain, or hand over): never a bare exit. */
export const QUIT_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * How long the "is a service installed" question may take: it runs systemctl or launchctl. When
 * the session ends, most of the few seconds the OS gives must stay for the hand-off itself.
 */
export function serviceQueryMs(reason: QuitReason): number {
  return reason === 'os-ending' ? 1_500 : 5_000;
}

export function quitPlan(o: {
  mode: HostMode;
  liveWorkers: number;
  serviceInstalled: boolean;
  reason?: QuitReason;
}): QuitPlan {
  if (o.mode === 'attached') return { kind: 'close', how: 'detach' };
  if (o.liveWorkers === 0) return { kind: 'close', how: 'drain' };
  if (!o.serviceInstalled) return { kind: 'close', how: 'drain' };
  // Only a person is asked: the service keeps the workers, as the question's default button says.
  return (o.reason ?? 'user') === 'user' ? { kind: 'ask' } : { kind: 'close', how: 'handoff' };
}

/**
 * What the OS leaves an app once the session ends: systemd-logind's delay inhibitor (what
 * Electron's `shutdown` holds) lasts 5 s by default, Windows ends a process about 5 s after
 * WM_ENDSESSION, and macOS reports an app that holds up logout soon after. A bit under all.
 */
export const OS_ENDING_DEADLINE_MS = 4_000;
/** A hand-off or a detach lets go of running workers: seconds. Past this, something hangs. */
export const LET_GO_DEADLINE_MS = 30_000;

/**
 * How long the quit may take before the watchdog ends the process (`app.exit`), or null: a drain
 * a person or a signal asked for waits for each run however long (the tray offers Force stop; a
 * service manager kills at its own timeout).
 */
export function quitDeadlineMs(reason: QuitReason, how: CloseHow): number | null {
  if (reason === 'os-ending') return OS_ENDING_DEADLINE_MS;
  return how === 'drain' ? null : LET_GO_DEADLINE_MS;
}

/**
 * Windows asks before the session ends (`query-session-end`). Holding it up shows "PipedAI
 * Orchestrator is preventing shutdown" until the app has quit: worth it only when workers must be
 * drained or handed over, never for an app with nothing to close.
 */
export function holdSessionEnd(o: { mode: HostMode; liveWorkers: number }): boolean {
  return o.mode === 'own' && o.liveWorkers > 0;
}

/** The question asked when a service could take the workers over; buttons in this order. */
export const QUIT_QUESTION = {
  message: 'Quit PipedAI Orchestrator?',
  detail:
    'The PipedAI service is installed on this computer and can keep the workers running. Stopping them waits for each run in progress to finish.',
  buttons: ['Leave workers running for the service', 'Stop workers and quit', 'Cancel'],
  defaultId: 0,
  cancelId: 2,
} as const;

export function quitChoice(buttonIndex: number): CloseHow | 'cancel' {
  if (buttonIndex === 0) return 'handoff';
  if (buttonIndex === 1) return 'drain';
  return 'cancel';
}

export function drainStatusLine(left: number, total: number): string {
  if (total === 0 || left === 0) return 'Quitting…';
  return `Quitting — stopping workers (${left} of ${total} still running)`;
}

/** Window progress bar during the drain: 0 → 1, or -1 to remove it. */
export function drainProgress(left: number, total: number): number {
  if (total === 0) return -1;
  return Math.min(1, Math.max(0, (total - left) / total));
}

/**
 * Does the installed service unit run the daemon for this state folder? Units carry
 * PIPEDAI_HOME; a unit for another folder would not adopt these workers. An escaped or unusual
 * path reads as "no", and the safe answer follows: drain.
 */
export function serviceManagesHome(unitText: string | null, home: string): boolean {
  if (unitText === null || home === '') return false;
  const escaped = home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}(?![A-Za-z0-9._\\-/\\\\])`).test(unitText);
}
