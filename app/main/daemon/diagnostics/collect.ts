// Gathers what `doctor` looks at: versions, the owner, the service, the managed worker runtime (or
// the PIPEDAI_WORKER_BIN override) and the environment workers get, pipedai-api's health and
// clock, the secret files' modes, the disk (the figures /api/self reports, and the free space).
// Every probe is bounded (timeouts, a cap on files counted) and a failing one is a finding,
// never an error.
import { lstat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  DEFAULT_API_URL,
  normalizeApiUrl,
  type Diagnostics,
  type DiskUsage,
  type FusedWorker,
  type ManifestEntry,
  type Probe,
  type RuntimeOverview,
  type RuntimeRecord,
  type WorkerRuntimeView,
} from '../../../shared/index.ts';
import type { Paths } from '../paths.ts';
import { fuseWorkers } from '../status/fuse.ts';
import { which, pathEntries } from '../tools/which.ts';
import { diagnose, type DiagnosticFacts, type FileFacts, type ServiceFacts } from './checks.ts';

export interface CollectOptions {
  paths: Paths;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch?: string;
  by: 'daemon' | 'cli';
  version: string;
  cliVersion?: string;
  manifest: ManifestEntry[];
  /** The fused view when a daemon collects; the CLI alone knows the manifest and the runtime. */
  workers?: FusedWorker[];
  owner(): Promise<RuntimeRecord | null>;
  service(): Promise<ServiceFacts | null>;
  /** The managed worker runtime as loaded (the daemon's, or read by the CLI). */
  runtime: RuntimeOverview;
  /** Each worker's runtime, for the CLI alone (the daemon's fused workers carry it). */
  runtimeOf?: (id: string) => WorkerRuntimeView | null;
  /** The unmanaged worker's `version` answer (PIPEDAI_WORKER_BIN, or pipedai-worker on PATH). */
  workerVersion(): Promise<string | null>;
  /** What the state folder's files take: /api/self's figures (measureDisk). */
  disk(): Promise<DiskUsage | null>;
  probeApi(apiUrl: string): Promise<{ probe: Probe; serverDate: string | null }>;
  now?: () => number;
}

async function modeOf(path: string, kind: 'file' | 'dir'): Promise<FileFacts> {
  try {
    const st = await lstat(path);
    return { path, kind, mode: st.mode & 0o777 };
  } catch {
    return { path, kind, mode: null };
  }
}

/** Free bytes on the file system holding `path` (or its nearest existing parent). */
async function freeBytes(path: string): Promise<number | null> {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = await statfs(p);
      return s.bavail * s.bsize;
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}

export async function collectFacts(o: CollectOptions): Promise<DiagnosticFacts> {
  const now = o.now ?? Date.now;
  const p = o.paths;
  const apiUrls = [...new Set(o.manifest.map((e) => normalizeApiUrl(e.apiUrl)))];
  if (apiUrls.length === 0) apiUrls.push(DEFAULT_API_URL);
  const secretFiles = Promise.all([
    modeOf(p.home, 'dir'),
    modeOf(p.orchestratorDir, 'dir'),
    modeOf(p.credentials, 'file'),
    modeOf(p.workersDir, 'dir'),
    ...o.manifest.map((e) => modeOf(e.configPath, 'file')),
  ]);
  const overrideBin = o.env.PIPEDAI_WORKER_BIN?.trim() || null;
  const [owner, service, resolved, version, node, apis, files, usage, free] = await Promise.all([
    o.owner().catch(() => null),
    o.service().catch(() => null),
    overrideBin ? which(overrideBin, o.env, o.platform) : Promise.resolve(null),
    overrideBin ? o.workerVersion().catch(() => null) : Promise.resolve(null),
    which('node', o.env, o.platform),
    Promise.all(
      apiUrls.map(async (url) => {
        const { probe, serverDate } = await o.probeApi(url);
        return { url, probe, serverDate, localAt: now() };
      }),
    ),
    secretFiles,
    o.disk().catch(() => null),
    freeBytes(p.home),
  ]);
  return {
    now: now(),
    platform: o.platform,
    arch: o.arch ?? process.arch,
    by: o.by,
    versions: {
      orchestrator: o.version,
      node: process.version,
      ...(process.versions.electron ? { electron: process.versions.electron } : {}),
    },
    owner,
    ...(o.cliVersion ? { cliVersion: o.cliVersion } : {}),
    service,
    runtime: o.runtime,
    override: overrideBin ? { command: overrideBin, resolved, version } : null,
    // Without a daemon, the manifest's workers with nothing known about them.
    workers:
      o.workers ??
      fuseWorkers({
        entries: o.manifest,
        local: () => null,
        remote: () => null,
        lastEvent: () => null,
        latestWorkerVersion: () => null,
        ...(o.runtimeOf ? { runtime: o.runtimeOf } : {}),
      }),
    workerEnv: { path: pathEntries(o.env, o.platform), node },
    apis,
    secretFiles: files,
    disk: { usage, freeBytes: free },
  };
}

function report(facts: DiagnosticFacts, home: string): Diagnostics {
  return { by: facts.by, generatedAt: facts.now, checks: diagnose(facts, home) };
}

export async function collectDiagnostics(o: CollectOptions): Promise<Diagnostics> {
  return report(await collectFacts(o), o.paths.home);
}

/**
 * The daemon's doctor: one collection at a time (it may spawn the override worker and probes
 * every API), shared by everyone who asks meanwhile; each asker gets the verdict for its own CLI.
 */
export function sharedDiagnostics(
  home: string,
): (collect: () => Promise<DiagnosticFacts>, cliVersion?: string) => Promise<Diagnostics> {
  let inFlight: Promise<DiagnosticFacts> | null = null;
  return async (collect, cliVersion) => {
    inFlight ??= collect().finally(() => (inFlight = null));
    const facts = await inFlight;
    return report(cliVersion ? { ...facts, cliVersion } : facts, home);
  };
}
