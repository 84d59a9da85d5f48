// What a worker's row, the tray, `workers` and /metrics say about its health, decided once: a
// crash loop, and whether PipedAI's word on it (its remote status) is still the truth.
import type { ConnectivitySample, FusedWorker, RemoteView, StaleReason } from './status.ts';
import { ageText } from './age.ts';
import { normalizeApiUrl } from './util.ts';

/**
 * Restarts in a row after which a restarting worker counts as crash-looping. The supervisor's
 * backoff reaches 15 s at the third restart: by then it is not a blip.
 */
export const CRASH_LOOP_RESTARTS = 3;

export function isCrashLooping(w: Pick<FusedWorker, 'local'>): boolean {
  const local = w.local;
  if (!local) return false;
  return (
    local.state === 'crashed' ||
    (local.state === 'backing-off' && local.restarts >= CRASH_LOOP_RESTARTS)
  );
}

/** How often pipedai-worker heartbeats (its default; the sandbox's simulator mirrors it). */
export const WORKER_HEARTBEAT_MS = 5_000;
/** Heartbeats a worker may miss before PipedAI's "online" no longer counts as current. */
export const MISSED_HEARTBEATS = 3;

/**
 * How old a worker's `lastSeenAt` may get, on the daemon's clock, while its "online" still
 * holds. A healthy worker's is at most one heartbeat old when the daemon polls, then ages one
 * poll interval until the next poll: three missed heartbeats past that is late (30 s with the
 * defaults: 3 × 5 s + the 15 s poll).
 */
export function heartbeatAllowanceMs(refreshMs: number): number {
  return MISSED_HEARTBEATS * WORKER_HEARTBEAT_MS + refreshMs;
}

export interface StalenessInput {
  apiUrl: string;
  remote: Pick<RemoteView, 'status' | 'lastSeenAt'>;
  /** The connectivity monitor's latest sample (null before the first). */
  connectivity: ConnectivitySample | null;
  /** The last poll of this worker's list failed: what we hold is from an earlier one. */
  pollFailing: boolean;
  now: number;
  allowanceMs: number;
}

/**
 * Why this remote status is out of date, or null while it holds: its API is unreachable (the
 * probe of that very API, else the verdict), the list could not be read, or it says online while
 * the last heartbeat is late. An old `lastSeenAt` under "offline" is the truth, not stale.
 */
export function staleReasonOf(i: StalenessInput): StaleReason | null {
  const down = i.connectivity ? apiDownIn(i.connectivity, i.apiUrl) : null;
  if (down) return down;
  if (i.pollFailing) return 'poll-failed';
  const seen = i.remote.lastSeenAt === null ? NaN : Date.parse(i.remote.lastSeenAt);
  if (i.remote.status === 'online' && Number.isFinite(seen) && i.now - seen > i.allowanceMs)
    return 'heartbeat-late';
  return null;
}

/**
 * Whether this sample found `apiUrl` unreachable: its own probe, else (an API not probed yet) the
 * verdict; `offline` when the internet probe failed too. Null while it answers.
 */
export function apiDownIn(
  sample: ConnectivitySample,
  apiUrl: string,
): 'offline' | 'api-unreachable' | null {
  const probe = sample.api.find((p) => p.url === normalizeApiUrl(apiUrl));
  const down = probe
    ? !probe.ok
    : sample.verdict === 'api-unreachable' || sample.verdict === 'offline';
  if (!down) return null;
  return sample.internet.ok ? 'api-unreachable' : 'offline';
}

/** "seen 46s ago" from a remote view's `lastSeenAt`; "never seen" without one. */
export function seenText(remote: Pick<RemoteView, 'lastSeenAt'>, now: number): string {
  const seen = remote.lastSeenAt === null ? NaN : Date.parse(remote.lastSeenAt);
  return Number.isFinite(seen) ? `seen ${ageText(now - seen)} ago` : 'never seen';
}

/** "stale · seen 46s ago": what every door says in place of a status that no longer holds. */
export function staleText(remote: Pick<RemoteView, 'lastSeenAt'>, now: number): string {
  return `stale · ${seenText(remote, now)}`;
}

const REASON_TEXT: Record<StaleReason, string> = {
  offline: 'this host has no network',
  'api-unreachable': "this host can't reach PipedAI",
  'poll-failed': "PipedAI's worker list could not be read",
  'heartbeat-late': 'its heartbeats stopped reaching PipedAI',
};

/** Why, in plain words, for the row and the tray ("this host can't reach PipedAI"). */
export function staleReasonText(reason: StaleReason | undefined): string {
  return reason ? REASON_TEXT[reason] : 'out of date';
}

/** "15:53": a moment as the local wall clock shows it, for "since 15:53". */
export function clockText(ts: number): string {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * When the current outage began: the first sample of the trailing run of samples whose verdict
 * is not online (oldest first), or null while online or before any sample.
 */
export function outageSince(history: readonly ConnectivitySample[]): number | null {
  let since: number | null = null;
  for (let i = history.length - 1; i >= 0; i--) {
    const s = history[i];
    if (!s || s.verdict === 'online' || s.verdict === 'unknown') break;
    since = s.ts;
  }
  return since;
}
