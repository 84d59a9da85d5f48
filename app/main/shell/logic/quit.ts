// What Quit does with the workers. An attached app leaves the daemon alone; an owning app drains
// its workers, unless a native service is installed to take them over (it adopts the running
// children through the child registry), in which case the person chooses.
import type { CloseHow, HostMode } from '../../hosts/index.ts';

export type QuitPlan = { kind: 'close'; how: CloseHow } | { kind: 'ask' };

export function quitPlan(o: {
  mode: HostMode;
  liveWorkers: number;
  serviceInstalled: boolean;
}): QuitPlan {
  if (o.mode === 'attached') return { kind: 'close', how: 'detach' };
  if (o.liveWorkers === 0) return { kind: 'close', how: 'drain' };
  return o.serviceInstalled ? { kind: 'ask' } : { kind: 'close', how: 'drain' };
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
