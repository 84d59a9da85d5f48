// Polls each environment's worker lists (contract §2.5, §8.8). One round at a time (overlapping
// rounds answer out of order); each successful list REPLACES that environment's rows, so a
// stale `busy` never outlives its run; a failed list keeps the previous rows. A refresh always
// waits for a round that STARTED after it was asked for: a verb refreshes to see its own change,
// which a round already under way may predate.
import { normalizeApiUrl, type ManifestEntry, type RemoteView } from '../../../shared/index.ts';
import type { ApiPort, CredentialsPort } from '../deps.ts';
import { toRemoteView } from './fuse.ts';

export interface RemoteStatus {
  /** Poll now; callers arriving while a round runs share the one round queued after it. */
  refresh(entries: readonly ManifestEntry[]): Promise<void>;
  get(id: string): RemoteView | null;
  /** The last poll of this worker's list failed: what get() holds is from an earlier one. */
  pollFailing(id: string): boolean;
  /** Forget rows of workers no longer managed. */
  retain(ids: ReadonlySet<string>): void;
}

export function createRemoteStatus(
  api: Pick<ApiPort, 'listWorkspaceWorkers' | 'listPoolWorkers'>,
  credentials: Pick<CredentialsPort, 'operatorToken' | 'poolReadToken'>,
): RemoteStatus {
  /** Rows per environment key (`ws <apiUrl> <workspaceId>` or `pool <apiUrl>`). */
  const byEnv = new Map<string, Map<string, RemoteView>>();
  /** Environments whose last poll failed (their rows are kept, and out of date). */
  const failing = new Set<string>();
  let running: Promise<void> | null = null;
  /** The round that starts when the running one ends, shared by everyone who asked meanwhile. */
  let queued: { entries: readonly ManifestEntry[]; done: Promise<void> } | null = null;

  const round = (entries: readonly ManifestEntry[]): Promise<void> => {
    const p = pollAll(entries).finally(() => {
      if (running === p) running = null;
    });
    running = p;
    return p;
  };

  async function pollAll(entries: readonly ManifestEntry[]): Promise<void> {
    const jobs = new Map<string, () => Promise<Map<string, RemoteView> | null>>();
    for (const e of entries) {
      const apiUrl = normalizeApiUrl(e.apiUrl);
      if (e.mode === 'workspace' && e.workspaceId) {
        const workspaceId = e.workspaceId;
        jobs.set(`ws ${apiUrl} ${workspaceId}`, async () => {
          const token = await credentials.operatorToken(apiUrl);
          if (!token) return null;
          return toMap((await api.listWorkspaceWorkers(apiUrl, token, workspaceId)).items);
        });
      } else if (e.mode === 'pool') {
        jobs.set(`pool ${apiUrl}`, async () => {
          const token = await credentials.poolReadToken(apiUrl);
          if (!token) return null;
          return toMap((await api.listPoolWorkers(apiUrl, token)).items);
        });
      }
    }
    await Promise.all(
      [...jobs].map(async ([key, job]) => {
        try {
          const rows = await job();
          if (rows) byEnv.set(key, rows);
          failing.delete(key);
        } catch {
          // Keep the previous rows, marked out of date; the connectivity monitor tells why.
          failing.add(key);
        }
      }),
    );
    for (const key of byEnv.keys()) if (!jobs.has(key)) byEnv.delete(key);
    for (const key of failing) if (!jobs.has(key)) failing.delete(key);
  }

  return {
    refresh(entries) {
      if (queued) {
        queued.entries = entries; // the latest manifest wins
        return queued.done;
      }
      if (running === null) return round(entries);
      const start = (): Promise<void> => {
        queued = null;
        return round(next.entries);
      };
      const next: { entries: readonly ManifestEntry[]; done: Promise<void> } = {
        entries,
        done: running.then(start, start),
      };
      queued = next;
      return next.done;
    },
    get(id) {
      for (const rows of byEnv.values()) {
        const row = rows.get(id);
        if (row) return row;
      }
      return null;
    },
    pollFailing(id) {
      for (const [key, rows] of byEnv) if (rows.has(id)) return failing.has(key);
      return false;
    },
    retain(ids) {
      for (const rows of byEnv.values())
        for (const id of rows.keys()) if (!ids.has(id)) rows.delete(id);
    },
  };
}

function toMap(rows: Parameters<typeof toRemoteView>[0][]): Map<string, RemoteView> {
  return new Map(rows.map((r) => [r.id, toRemoteView(r)]));
}
