// `adopt` (contract §8.12): import legacy standalone configs (`worker.json`, `worker.<name>.json`)
// in place. A config that cannot be managed is skipped with its reason (the reference aborts the
// whole command on an invalid apiUrl).
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ManifestEntry, describeZodError } from '../../../shared/index.ts';
import type { ManifestPort, WorkerConfigPort } from '../ports.ts';

export interface AdoptReport {
  adopted: Array<{ label: string; mode: 'workspace' | 'pool'; id: string; configPath: string }>;
  skipped: Array<{ path: string; reason: string }>;
}

const LEGACY = /^worker(?:\.(.+))?\.json$/;

export async function adopt(
  stores: { manifest: ManifestPort; workerConfigs: WorkerConfigPort },
  dir: string,
  opts: { disabled?: boolean } = {},
): Promise<AdoptReport> {
  const report: AdoptReport = { adopted: [], skipped: [] };
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => LEGACY.test(n)).sort();
  } catch {
    return report;
  }
  for (const name of names) {
    const path = resolve(join(dir, name));
    const entries = await stores.manifest.list();
    if (entries.some((e) => resolve(e.configPath) === path)) {
      report.skipped.push({ path, reason: 'already managed (configPath)' });
      continue;
    }
    let cfg;
    try {
      cfg = await stores.workerConfigs.read(path);
    } catch (e) {
      report.skipped.push({
        path,
        reason: `unreadable: ${e instanceof Error ? e.message : String(e)}`,
      });
      continue;
    }
    if (entries.some((e) => e.id === cfg.workerId)) {
      report.skipped.push({ path, reason: `worker ${cfg.workerId} already managed` });
      continue;
    }
    const isPool = cfg.isPool === true;
    const candidate = ManifestEntry.safeParse({
      id: cfg.workerId,
      label: LEGACY.exec(name)?.[1] ?? 'default',
      apiUrl: cfg.apiUrl,
      workspaceId: isPool ? null : (cfg.workspaceId ?? null),
      configPath: path,
      mode: isPool ? 'pool' : 'workspace',
      desiredState: opts.disabled ? 'disabled' : 'enabled',
    });
    if (!candidate.success) {
      report.skipped.push({
        path,
        reason: `not manageable: ${describeZodError(candidate.error)}`,
      });
      continue;
    }
    await stores.manifest.add(candidate.data);
    report.adopted.push({
      label: candidate.data.label,
      mode: candidate.data.mode,
      id: candidate.data.id,
      configPath: path,
    });
  }
  return report;
}
