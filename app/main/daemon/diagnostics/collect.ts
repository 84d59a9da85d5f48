// Gathers what `doctor` looks at: versions, the owner, the service, the worker binary and the
// environment workers get, pipedai-api's health and clock, the secret files' modes, the disk.
// Every probe is bounded (timeouts, a cap on files counted) and a failing one is a finding,
// never an error.
import { lstat, readdir, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  DEFAULT_API_URL,
  normalizeApiUrl,
  type Diagnostics,
  type FusedWorker,
  type ManifestEntry,
  type Probe,
  type RuntimeRecord,
} from '../../../shared/index.ts';
import type { Paths } from '../paths.ts';
import { fuseWorkers } from '../status/fuse.ts';
import { which, pathEntries } from '../tools/which.ts';
import { diagnose, type DiagnosticFacts, type FileFacts, type ServiceFacts } from './checks.ts';

/** Files counted under logs/ and runs/ before the count stops (the sum is then a lower bound). */
const MAX_FILES_COUNTED = 100_000;

export interface CollectOptions {
  paths: Paths;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch?: string;
  by: 'daemon' | 'cli';
  version: string;
  cliVersion?: string;
  manifest: ManifestEntry[];
  /** The fused view when a daemon collects; the CLI alone knows only the manifest. */
  workers?: FusedWorker[];
  owner(): Promise<RuntimeRecord | null>;
  service(): Promise<ServiceFacts | null>;
  /** PIPEDAI_WORKER_BIN, else `pipedai-worker`. */
  workerBin: string;
  workerVersion(): Promise<string | null>;
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

/** Bytes of the files under `dir`, counting at most `budget.left` entries. */
async function treeBytes(
  dir: string,
  budget: { left: number },
): Promise<{ bytes: number; partial: boolean }> {
  let bytes = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop() as string;
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (budget.left-- <= 0) return { bytes, partial: true };
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) bytes += (await lstat(p).catch(() => null))?.size ?? 0;
    }
  }
  return { bytes, partial: false };
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
  const budget = { left: MAX_FILES_COUNTED };
  const secretFiles = Promise.all([
    modeOf(p.home, 'dir'),
    modeOf(p.orchestratorDir, 'dir'),
    modeOf(p.credentials, 'file'),
    modeOf(p.workersDir, 'dir'),
    ...o.manifest.map((e) => modeOf(e.configPath, 'file')),
  ]);
  const [owner, service, resolved, version, node, apis, files, logs, runs, free] =
    await Promise.all([
      o.owner().catch(() => null),
      o.service().catch(() => null),
      which(o.workerBin, o.env, o.platform),
      o.workerVersion().catch(() => null),
      which('node', o.env, o.platform),
      Promise.all(
        apiUrls.map(async (url) => {
          const { probe, serverDate } = await o.probeApi(url);
          return { url, probe, serverDate, localAt: now() };
        }),
      ),
      secretFiles,
      treeBytes(p.logsDir, budget),
      treeBytes(p.runsDir, budget),
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
    workerBinary: {
      configured: o.workerBin,
      fromEnv: Boolean(o.env.PIPEDAI_WORKER_BIN?.trim()),
      resolved,
      version,
    },
    // Without a daemon, the manifest's workers with nothing known about them.
    workers:
      o.workers ??
      fuseWorkers({
        entries: o.manifest,
        local: () => null,
        remote: () => null,
        lastEvent: () => null,
        latestWorkerVersion: () => null,
      }),
    workerEnv: { path: pathEntries(o.env, o.platform), node },
    apis,
    secretFiles: files,
    disk: {
      logsBytes: logs.bytes,
      runsBytes: runs.bytes,
      freeBytes: free,
      partial: logs.partial || runs.partial,
    },
  };
}

function report(facts: DiagnosticFacts, home: string): Diagnostics {
  return { by: facts.by, generatedAt: facts.now, checks: diagnose(facts, home) };
}

export async function collectDiagnostics(o: CollectOptions): Promise<Diagnostics> {
  return report(await collectFacts(o), o.paths.home);
}

/**
 * The daemon's doctor: one collection at a time (it spawns the worker binary and probes every
 * API), shared by everyone who asks meanwhile; each asker gets the verdict for its own CLI.
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
