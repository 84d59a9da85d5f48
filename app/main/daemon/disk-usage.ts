// What the daemon's files take on disk (`GET /api/self` → disk): the captured logs, the workers'
// raw output files, the run-event files and the connectivity log. Allocated blocks where the OS
// reports them (punched holes in the output files do not count), else the size.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiskUsage } from '../../shared/index.ts';
import type { Paths } from './paths.ts';

/** Bound on the files looked at per folder: a folder holding more is counted that far. */
const MAX_ENTRIES = 100_000;

async function bytesOf(path: string): Promise<number> {
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) return 0;
  return typeof st.blocks === 'number' && st.blocks >= 0 && process.platform !== 'win32'
    ? Math.min(st.size, st.blocks * 512)
    : st.size;
}

/** Files in `dir`, and in its subfolders `depth` levels down. */
async function folderBytes(dir: string, depth: number): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries.slice(0, MAX_ENTRIES)) {
    const path = join(dir, e.name);
    if (e.isFile()) total += await bytesOf(path);
    else if (e.isDirectory() && depth > 0) total += await folderBytes(path, depth - 1);
  }
  return total;
}

export async function measureDisk(
  paths: Pick<Paths, 'logsDir' | 'captureDir' | 'runsDir' | 'connectivityLog'>,
  now: () => number = Date.now,
): Promise<DiskUsage> {
  const [logsBytes, captureBytes, runsBytes, c0, c1] = await Promise.all([
    folderBytes(paths.logsDir, 0),
    folderBytes(paths.captureDir, 0),
    folderBytes(paths.runsDir, 1),
    bytesOf(paths.connectivityLog),
    bytesOf(`${paths.connectivityLog}.1`),
  ]);
  return { logsBytes, captureBytes, runsBytes, connectivityBytes: c0 + c1, measuredAt: now() };
}
