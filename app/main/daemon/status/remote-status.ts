// Polls each environment's worker lists (contract §2.5, §8.8). One round at a time (the
// reference's refreshes overlap); each successful list REPLACES that environment's rows, so a
// stale `busy` never outlives its run; a failed list keeps the previous rows.
import { normalizeApiUrl, type ManifestEntry, type RemoteView } from '../../../shared/index.ts';
import type { ApiPort, CredentialsPort } from '../ports.ts';
import { toRemoteView } from './fuse.ts';

export interface RemoteStatus {
  /** Poll now; concurrent callers share the round in flight. */
  refresh(entries: readonly ManifestEntry[]): Promise<void>;
  get(id: string): RemoteView | null;
  /** Forget rows of workers no longer managed. */
  retain(ids: ReadonlySet<string>): void;
}

export function createRemoteStatus(
  api: Pick<ApiPort, 'listWorkspaceWorkers' | 'listPoolWorkers'>,
  credentials: Pick<CredentialsPort, 'operatorToken' | 'poolReadToken'>,
): RemoteStatus {
  /** Rows per environment key (`ws <apiUrl> <workspaceId>` or `pool <apiUrl>`). */
  const byEnv = new Map<string, Map<string, RemoteView>>();
  let inFlight: Promise<void> | null = null;

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
        } catch {
          // Keep the previous rows; the connectivity monitor tells the operator why.
        }
      }),
    );
    for (const key of byEnv.keys()) if (!jobs.has(key)) byEnv.delete(key);
  }

  return {
    refresh(entries) {
      inFlight ??= pollAll(entries).finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    get(id) {
      for (const rows of byEnv.values()) {
        const row = rows.get(id);
        if (row) return row;
      }
      return null;
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
