// Persisting an enrollment (contract §8.10 step 5): worker config (0600), the host's operator
// credential, and a manifest entry. Re-connecting a host the API already knows updates that
// worker in place instead of writing a parallel config; nothing is half-written on failure.
import { rm } from 'node:fs/promises';
import {
  normalizeApiUrl,
  slugify,
  type ManifestEntry,
  type RedeemResponse,
} from '../../../shared/index.ts';
import type { Paths } from '../paths.ts';
import type { CredentialsPort, ManifestPort, WorkerConfigPort } from '../deps.ts';

export interface EnrollmentStores {
  paths: Paths;
  manifest: ManifestPort;
  credentials: CredentialsPort;
  workerConfigs: WorkerConfigPort;
}

export interface PersistedEnrollment {
  entry: ManifestEntry;
  /** True when the API answered with a worker this host already manages. */
  reused: boolean;
}

export async function persistEnrollment(
  stores: EnrollmentStores,
  result: RedeemResponse,
  opts: { label?: string; hostname: string },
): Promise<PersistedEnrollment> {
  const apiUrl = normalizeApiUrl(result.apiUrl);
  const config = {
    workerId: result.workerId,
    workerToken: result.workerToken,
    apiUrl,
    workspaceId: result.workspaceId,
    isPool: false,
  };
  const existing = await stores.manifest.get(result.workerId);
  if (existing) {
    await stores.workerConfigs.write(existing.configPath, config, { overwrite: true });
    await stores.credentials.setOperatorToken(apiUrl, result.operatorToken);
    const patch = {
      apiUrl,
      workspaceId: result.workspaceId,
      ...(opts.label ? { label: opts.label } : {}),
    };
    await stores.manifest.update(existing.id, patch);
    return { entry: { ...existing, ...patch }, reused: true };
  }

  const entries = await stores.manifest.list();
  const used = new Set(entries.map((e) => e.configPath));
  const base = slugify(opts.label ?? opts.hostname);
  let configPath = stores.paths.workerConfig(base);
  for (let n = 2; used.has(configPath); n++) configPath = stores.paths.workerConfig(`${base}-${n}`);

  await stores.workerConfigs.write(configPath, config);
  try {
    await stores.credentials.setOperatorToken(apiUrl, result.operatorToken);
    const entry: ManifestEntry = {
      id: result.workerId,
      label: opts.label ?? opts.hostname,
      apiUrl,
      workspaceId: result.workspaceId,
      configPath,
      mode: 'workspace',
      desiredState: 'enabled',
    };
    await stores.manifest.add(entry);
    return { entry, reused: false };
  } catch (e) {
    await rm(configPath, { force: true }).catch(() => undefined);
    throw e;
  }
}
