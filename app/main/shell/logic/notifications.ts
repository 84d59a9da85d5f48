// Which desktop notifications to show: a worker entering a crash loop, a rollback, a failed
// runtime install, a pairing that finished (an update's: ./updates.ts). Each is decided from state
// changes, so a notification fires once per event.
import {
  isCrashLooping,
  type FusedWorker,
  type PairingStatus,
  type RollbackEvent,
  type RuntimeInstall,
} from '../../../shared/index.ts';

/**
 * The app's identity on Windows (its AppUserModelID): electron-builder's `appId`, which the NSIS
 * installer writes into the Start menu shortcut. The process must carry the same one
 * (`app.setAppUserModelId`), or toasts are dropped or shown under another name and a pinned
 * taskbar icon appears twice. package:check asserts the two match.
 */
export const APP_USER_MODEL_ID = 'app.pipedai.orchestrator';

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
  // Stryker disable ArrayDeclaration,OptionalChaining: a list of no workers has none crash looping, as an empty one; a worker that isCrashLooping has a local status
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
  // Stryker restore ArrayDeclaration,OptionalChaining
}

/** A worker sent back to its previous runtime; a rollback the daemon did by itself is news. */
export function rollbackNotice(r: RollbackEvent): NoticeSpec {
  return {
    title: r.automatic ? `${r.label} was rolled back` : `${r.label} rolled back`,
    body: r.automatic
      ? `${r.from} kept crashing after the upgrade, so it runs ${r.to} again.`
      : `It runs ${r.to} again (was ${r.from}).`,
    opens: { kind: 'logs', id: r.id },
  };
}

/** A runtime install that failed: what it could not get, from where. */
export function installFailedNotice(i: RuntimeInstall): NoticeSpec | null {
  if (i.phase !== 'failed') return null;
  return {
    title: 'The worker runtime could not be installed',
    body: i.error ?? `${i.spec} could not be installed`,
    opens: { kind: 'dashboard' },
  };
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
