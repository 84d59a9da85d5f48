// Latest releases per environment (contract §8.4, §8.5): checked at start and daily; a failure
// keeps the previous value. `unknown` means the API could not reach the registry: never a version.
import {
  compareVersions,
  isVersion,
  normalizeApiUrl,
  type ReleasesResponse,
  type SelfStatus,
} from '../../../shared/index.ts';

interface CacheEntry {
  releases: ReleasesResponse;
  fetchedAt: number;
}

export interface ReleaseTracker {
  /** Fetch every given environment now (failures keep the old entry). */
  refresh(apiUrls: readonly string[]): Promise<void>;
  latestWorkerVersion(apiUrl: string): string | null;
  self(version: string): SelfStatus;
}

export function createReleaseTracker(
  fetchLatest: (apiUrl: string) => Promise<ReleasesResponse>,
  now: () => number = Date.now,
): ReleaseTracker {
  const cache = new Map<string, CacheEntry>();
  const known = (v: string | undefined): string | null => (isVersion(v) ? v : null);

  return {
    async refresh(apiUrls) {
      await Promise.all(
        [...new Set(apiUrls.map(normalizeApiUrl))].map(async (url) => {
          try {
            cache.set(url, { releases: await fetchLatest(url), fetchedAt: now() });
          } catch {
            // Keep the previous value; the connectivity monitor reports reachability.
          }
        }),
      );
    },
    latestWorkerVersion(apiUrl) {
      return known(cache.get(normalizeApiUrl(apiUrl))?.releases.pipedaiWorker.latest);
    },
    self(version) {
      let newest: CacheEntry | null = null;
      for (const e of cache.values()) if (!newest || e.fetchedAt > newest.fetchedAt) newest = e;
      const latest = known(newest?.releases.pipedaiOrchestrator.latest);
      return {
        version,
        latest,
        stale: latest !== null && (compareVersions(version, latest) ?? 0) < 0,
        lastCheckedAt: newest ? new Date(newest.fetchedAt).toISOString() : null,
      };
    },
  };
}
