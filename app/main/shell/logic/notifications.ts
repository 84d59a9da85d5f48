// Which desktop notifications to show: a worker entering a crash loop, a pairing that finished
// (an update's: ./updates.ts). Each is decided from state changes, so a notification fires once per event.
import type { FusedWorker, PairingStatus } from '../../../shared/index.ts';
import { isCrashLooping } from './host-state.ts';

export interface NoticeSpec {
  title: string;
  body: string;
  /** What a click on the notification opens. */
  opens: { kind: 'dashboard' } | { kind: 'logs'; id: string };
}

/** Workers that entered a crash loop between two views (not those already in one). */
export function crashLoopNotices(
  before: readonly FusedWorker[] | null,
  after: readonly FusedWorker[] | null,
): NoticeSpec[] {
  const looping = new Set((before ?? []).filter(isCrashLooping).map((w) => w.id));
  return (after ?? [])
    .filter((w) => isCrashLooping(w) && !looping.has(w.id))
    .map((w) => ({
      title: `${w.label} keeps crashing`,
      body: `Restarted ${w.local?.restarts ?? 0} times in a row${
        w.local?.lastExit ? ` (last exit ${w.local.lastExit.code ?? w.local.lastExit.signal})` : ''
      }. Open its logs to see why.`,
      opens: { kind: 'logs', id: w.id },
    }));
}

export function pairingNotice(status: PairingStatus): NoticeSpec | null {
  if (status.state === 'approved')
    return {
      title: 'This host is connected',
      body: 'Pairing approved: the new worker is starting.',
      opens: { kind: 'dashboard' },
    };
  if (status.state === 'failed')
    return {
      title: 'Pairing failed',
      body: status.error ?? 'The code was not approved.',
      opens: { kind: 'dashboard' },
    };
  return null;
}
