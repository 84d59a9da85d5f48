// `runs/<workerId>/<runId>.ndjson` is written by the workers and grows with every run, so it is
// pruned by age and by total size, newest kept: a file is removed when it is older than
// maxAgeMs, or when the newer files already fill maxTotalBytes. A run written to within
// keepLiveMs is never removed (it may be in progress), whatever the limits say.
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isSafeSegment } from '../../../shared/index.ts';

export interface RunsLimits {
  /** Default 30 days. */
  maxAgeMs: number;
  /** Default 512 MiB. */
  maxTotalBytes: number;
  /** Default 10 minutes. */
  keepLiveMs: number;
}

export const DEFAULT_RUNS_LIMITS: RunsLimits = {
  maxAgeMs: 30 * 24 * 3_600_000,
  maxTotalBytes: 512 * 1024 * 1024,
  keepLiveMs: 10 * 60_000,
};

export interface PruneReport {
  removed: number;
  removedBytes: number;
  keptBytes: number;
  kept: number;
}

interface RunFile {
  path: string;
  mtimeMs: number;
  bytes: number;
}

async function runFiles(runsDir: string): Promise<RunFile[]> {
  const files: RunFile[] = [];
  for (const worker of await readdir(runsDir).catch(() => [] as string[])) {
    if (!isSafeSegment(worker)) continue;
    const dir = join(runsDir, worker);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!name.endsWith('.ndjson') || !isSafeSegment(name)) continue;
      const path = join(dir, name);
      const st = await stat(path).catch(() => null);
      if (st?.isFile()) files.push({ path, mtimeMs: st.mtimeMs, bytes: st.size });
    }
  }
  return files;
}

export async function pruneRuns(
  runsDir: string,
  limits: RunsLimits = DEFAULT_RUNS_LIMITS,
  now: number = Date.now(),
): Promise<PruneReport> {
  const files = (await runFiles(runsDir)).sort((a, b) => b.mtimeMs - a.mtimeMs);
  const report: PruneReport = { removed: 0, removedBytes: 0, keptBytes: 0, kept: 0 };
  let full = false; // once a file does not fit, every older one goes too: the newest are kept
  for (const f of files) {
    const age = now - f.mtimeMs;
    const live = age < limits.keepLiveMs;
    if (!live && report.keptBytes + f.bytes > limits.maxTotalBytes) full = true;
    const remove = !live && (full || age > limits.maxAgeMs);
    if (
      remove &&
      (await unlink(f.path).then(
        () => true,
        () => false,
      ))
    ) {
      report.removed++;
      report.removedBytes += f.bytes;
      continue;
    }
    report.kept++;
    report.keptBytes += f.bytes;
  }
  return report;
}
