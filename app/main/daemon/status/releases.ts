// Latest releases per environment (contract §8.4, §8.5): checked at start and daily; a failure
// keeps the previous value. `unknown` means the API could not reach the registry: never a version.
// A failed check is retried with backoff, not a day later (after a boot without network,
// `upgrade --all` would say "all up to date" for 24 h), and an environment the host did not know
// is checked as soon as it appears (due() says which are owed a check).
import {
  backoffDelay,
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
  /** Fetch every given environment now (failures keep the old entry and schedule a retry). */
  refresh(apiUrls: readonly string[]): Promise<void>;
  /**
   * The environments owed a check now: never checked, a failed check whose retry is due, or data
   * older than maxAgeMs.
   */
  due(apiUrls: readonly string[], maxAgeMs: number): string[];
  latestWorkerVersion(apiUrl: string): string | null;
  self(version: string): SelfStatus;
}

export interface RetryPolicy {
  /** First retry after a failure; doubles per further failure (default 30 s), with jitter. */
  retryMinMs: number;
  /** Longest wait between retries (default 1 h). */
  retryMaxMs: number;
  /** The jitter's source (tests pin it). */
  random: () => number;
}

export function createReleaseTracker(
  fetchLatest: (apiUrl: string) => Promise<ReleasesResponse>,
  now: () => number = Date.now,
  retry: Partial<RetryPolicy> = {},
): ReleaseTracker {
  const { retryMinMs = 30_000, retryMaxMs = 3_600_000, random = Math.random } = retry;
  const policy = { initialMs: retryMinMs, maxMs: retryMaxMs };
  const cache = new Map<string, CacheEntry>();
  /** Environments whose last check failed: how often in a row, and when to try again. */
  const failing = new Map<string, { failures: number; retryAt: number }>();
  const inFlight = new Set<string>();
  const known = (v: string | undefined): string | null => (isVersion(v) ? v : null);

  return {
    async refresh(apiUrls) {
      await Promise.all(
        [...new Set(apiUrls.map(normalizeApiUrl))].map(async (url) => {
          if (inFlight.has(url)) return;
          inFlight.add(url);
          try {
            cache.set(url, { releases: await fetchLatest(url), fetchedAt: now() });
            failing.delete(url);
          } catch {
            // Keep the previous value; the connectivity monitor reports reachability.
            const failures = (failing.get(url)?.failures ?? 0) + 1;
            const wait = backoffDelay(failures - 1, policy, random);
            failing.set(url, { failures, retryAt: now() + wait });
          } finally {
            inFlight.delete(url);
          }
        }),
      );
    },
    due(apiUrls, maxAgeMs) {
      const t = now();
      return [...new Set(apiUrls.map(normalizeApiUrl))].filter((url) => {
        if (inFlight.has(url)) return false;
        const failed = failing.get(url);
        if (failed) return t >= failed.retryAt;
        const entry = cache.get(url);
        return entry === undefined || t - entry.fetchedAt >= maxAgeMs;
      });
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
