// The worker runtime of this host: which `pipedai-worker` each worker runs, installing and
// switching managed versions, rollback, pruning. What wins, in order:
//   1. PIPEDAI_WORKER_BIN (tests, operators): always.
//   2. the managed version the worker is pinned to (every worker connect, build, adopt or an
//      upgrade created or touched), run by the daemon's own Node;
//   3. `pipedai-worker` on PATH, for a worker never pinned (a migrated host, where the user
//      installed it with `npm i -g`): it keeps working until its first upgrade, which moves it
//      to a managed version;
//   4. nothing: the worker waits in `needs-runtime` (never a crash loop on ENOENT).
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { z } from 'zod';
import {
  CommandError,
  errorMessage,
  type RuntimeInstall,
  type RuntimeOverview,
  type WorkerEnvironment,
  type WorkerRuntimeView,
} from '../../../shared/index.ts';
import { JsonFile } from '../store/json-file.ts';
import {
  createRuntimeInstaller,
  readInstalledPackage,
  type InstallSource,
  type RuntimeInstaller,
} from './installer.ts';
import { RUNTIME_MARKER, STAGING_PREFIX, runtimeLayout, type RuntimeLayout } from './layout.ts';
import type { NodeRuntime } from './node-runtime.ts';
import { writeNodeShim } from './node-shim.ts';
import type { ToolRunner } from '../tools/run-tool.ts';

/** How to start `pipedai-worker <args…>`: `command …args <args…>` with `env` added. */
export interface WorkerLaunch {
  source: 'managed' | 'path' | 'override';
  command: string;
  args: string[];
  env: Record<string, string>;
  /** A real executable (our Node): never through cmd.exe on Windows. */
  direct: boolean;
  version: string | null;
}

export type LaunchPlan = WorkerLaunch | { source: 'none'; problem: string };

const Pin = z.object({
  current: z.string().min(1),
  previous: z.string().min(1).nullable(),
  switchedAt: z.number().int(),
  rolledBackFrom: z.string().nullable().default(null),
  rolledBackAutomatically: z.boolean().default(false),
});
type Pin = z.infer<typeof Pin>;
const RuntimeState = z.object({
  version: z.literal(1),
  workers: z.record(z.string(), Pin),
});
type RuntimeState = z.infer<typeof RuntimeState>;

const Marker = z.object({ version: z.string(), installedAt: z.number() });

export interface InstalledVersion {
  version: string;
  installedAt: number;
  /** The script `pipedai-worker` runs (the package's bin). */
  script: string;
}

/** How many versions are kept besides the ones workers use (the "last two"). */
export const KEEP_VERSIONS = 2;

export interface WorkerRuntimeOptions {
  home: string;
  pkg: string;
  platform: NodeJS.Platform;
  node: NodeRuntime;
  npmCli: string;
  run: ToolRunner;
  /** The workers' environment (also npm's). */
  env: NodeJS.ProcessEnv;
  environment?: WorkerEnvironment;
  installTimeoutMs?: number;
  onInstall?: (install: RuntimeInstall) => void;
  now?: () => number;
}

export interface WorkerRuntime {
  readonly layout: RuntimeLayout;
  readonly node: NodeRuntime;
  /** Read the state file and the installed versions; write the node shim; sweep staging. */
  load(): Promise<void>;
  /** Read the state file and the installed versions again (another process may have changed them). */
  refresh(): Promise<void>;
  /** What starts this worker now (sync: the supervisor asks at every spawn). */
  plan(id: string): LaunchPlan;
  /** A launch for a managed version (for register), or the unmanaged one when null. */
  launchFor(version: string | null): LaunchPlan;
  view(id: string): WorkerRuntimeView;
  /** Install (or join the install of) a version; pins nothing. */
  install(source: InstallSource, workerIds?: readonly string[]): Promise<string>;
  /**
   * The runtime new or unpinned workers get, installed if needed, and pinned to `ids` that have
   * no pin yet. The newest installed version that was never rolled back from, else `latest`.
   * With PIPEDAI_WORKER_BIN set, nothing is installed (null).
   */
  ensure(ids: readonly string[]): Promise<string | null>;
  /** Point the worker at `version` (kept: the one it ran before, for a rollback). */
  pin(id: string, version: string): Promise<void>;
  /** Back to the previous version; the one left is remembered. */
  rollback(id: string, automatic: boolean): Promise<{ from: string; to: string }>;
  forget(id: string): Promise<void>;
  /** Remove versions no worker uses, beyond the newest KEEP_VERSIONS. */
  prune(): Promise<string[]>;
  /** Record why a worker has no runtime (a failed install), or clear it. */
  setProblem(id: string, problem: string | null): void;
  overview(): RuntimeOverview;
  installing(): boolean;
}

const emptyState = (): RuntimeState => ({ version: 1, workers: {} });

/** Compare dotted versions numerically (build metadata and pre-release after the core). */
export function compareVersions(a: string, b: string): number {
  const core = (v: string) => (/^(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1).map(Number);
  const [x, y] = [core(a), core(b)];
  for (let i = 0; i < 3; i += 1) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  // 1.5.0-rc.1 < 1.5.0; otherwise by text (stable).
  const pa = a.includes('-') ? 0 : 1;
  const pb = b.includes('-') ? 0 : 1;
  return pa !== pb ? pa - pb : a.localeCompare(b);
}

/** `name` on PATH (with PATHEXT on Windows), or null. */
export function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  exists: (p: string) => boolean = (p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  },
): string | null {
  const pathKey = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  const dirs = (env[pathKey] ?? '').split(platform === 'win32' ? ';' : delimiter).filter(Boolean);
  const exts =
    platform === 'win32' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean) : [''];
  for (const dir of dirs)
    for (const ext of exts) {
      const p = join(dir, name + ext.toLowerCase());
      if (exists(p)) return p;
      if (ext && exists(join(dir, name + ext))) return join(dir, name + ext);
    }
  return null;
}

export function createWorkerRuntime(opts: WorkerRuntimeOptions): WorkerRuntime {
  const now = opts.now ?? Date.now;
  const layout = runtimeLayout(opts.home);
  const stateFile = new JsonFile<RuntimeState>(layout.state, RuntimeState, { empty: emptyState });
  let state: RuntimeState = emptyState();
  const versions = new Map<string, InstalledVersion>();
  const problems = new Map<string, string>();
  const override = opts.env.PIPEDAI_WORKER_BIN?.trim() || null;
  const environment: WorkerEnvironment = opts.environment ?? { source: 'inherited', note: null };
  const installer: RuntimeInstaller = createRuntimeInstaller({
    layout,
    pkg: opts.pkg,
    node: opts.node,
    npmCli: opts.npmCli,
    run: opts.run,
    env: () => opts.env,
    shimDir: layout.binDir,
    ...(opts.installTimeoutMs !== undefined ? { timeoutMs: opts.installTimeoutMs } : {}),
    onProgress: (i) => opts.onInstall?.(i),
    now,
  });

  async function scan(): Promise<void> {
    versions.clear();
    const names = await readdir(layout.workerRoot).catch(() => [] as string[]);
    for (const name of names) {
      if (name.startsWith('.') || name.startsWith(STAGING_PREFIX) || name === 'state.json')
        continue;
      const dir = layout.versionDir(name);
      const marker = Marker.safeParse(
        await readFile(join(dir, RUNTIME_MARKER), 'utf8').then(JSON.parse, () => null),
      );
      // A folder without its marker was not made by a finished install: never use it.
      if (!marker.success) continue;
      const pkg = await readInstalledPackage(layout.packageDir(dir, opts.pkg));
      if (!pkg?.script) continue;
      versions.set(name, {
        version: name,
        installedAt: marker.data.installedAt,
        script: pkg.script,
      });
    }
  }

  const isInstalled = (v: string): boolean => {
    const got = versions.get(v);
    return got !== undefined && existsSync(got.script);
  };

  function managedLaunch(version: string): WorkerLaunch | null {
    const v = versions.get(version);
    if (!v || !existsSync(v.script)) return null;
    return {
      source: 'managed',
      command: opts.node.execPath,
      args: [v.script],
      env: { ...opts.node.env },
      direct: true,
      version,
    };
  }

  function unmanaged(): LaunchPlan {
    if (override)
      return {
        source: 'override',
        command: override,
        args: [],
        env: {},
        direct: false,
        version: null,
      };
    const onPath = findOnPath('pipedai-worker', opts.env, opts.platform);
    if (onPath)
      return { source: 'path', command: onPath, args: [], env: {}, direct: false, version: null };
    return { source: 'none', problem: 'no pipedai-worker runtime is installed for it yet' };
  }

  function plan(id: string): LaunchPlan {
    if (override) return unmanaged();
    const pin = state.workers[id];
    if (pin) {
      const launch = managedLaunch(pin.current);
      if (launch) return launch;
      return {
        source: 'none',
        problem: problems.get(id) ?? `its runtime ${opts.pkg}@${pin.current} is not installed`,
      };
    }
    const fallback = unmanaged();
    if (fallback.source === 'none' && problems.has(id))
      return { source: 'none', problem: problems.get(id)! };
    return fallback;
  }

  async function save(mutate: (s: RuntimeState) => void): Promise<void> {
    state = await stateFile.update((s) => {
      mutate(s);
      return s;
    });
  }

  /** Versions new workers may get: never one a worker was rolled back from. */
  function defaultVersion(): string | null {
    const bad = new Set(
      Object.values(state.workers)
        .map((p) => p.rolledBackFrom)
        .filter((v): v is string => v !== null),
    );
    const good = [...versions.keys()].filter((v) => !bad.has(v) && !v.includes('+local.'));
    return good.sort(compareVersions).at(-1) ?? null;
  }

  const runtime: WorkerRuntime = {
    layout,
    node: opts.node,
    async load() {
      await writeNodeShim(layout.binDir, opts.platform, opts.node);
      await installer.sweep();
      await runtime.refresh();
    },
    async refresh() {
      state = await stateFile.read();
      await scan();
    },
    plan,
    launchFor(version) {
      if (version === null) return unmanaged();
      return (
        managedLaunch(version) ?? {
          source: 'none',
          problem: `${opts.pkg}@${version} is not installed`,
        }
      );
    },
    view(id) {
      const pin = state.workers[id];
      const p = plan(id);
      return {
        source: p.source,
        version: p.source === 'managed' ? p.version : (pin?.current ?? null),
        previous: pin?.previous ?? null,
        command: p.source === 'none' ? null : (p.args[0] ?? p.command),
        rolledBackFrom: pin?.rolledBackFrom ?? null,
        rolledBackAutomatically: pin?.rolledBackAutomatically ?? false,
        problem: p.source === 'none' ? p.problem : null,
      };
    },
    async install(source, workerIds = []) {
      try {
        const done = await installer.install(source, workerIds);
        await scan();
        for (const id of workerIds) problems.delete(id);
        return done.version;
      } catch (e) {
        const message = errorMessage(e);
        for (const id of workerIds) problems.set(id, message);
        throw e;
      }
    },
    async ensure(ids) {
      if (override) return null;
      // Another process (the CLI's connect or adopt) may have installed or pinned meanwhile.
      await runtime.refresh();
      const unpinned = ids.filter((id) => !state.workers[id]);
      const pinnedMissing = ids
        .map((id) => state.workers[id]?.current)
        .filter((v): v is string => v !== undefined && !isInstalled(v));
      // A worker pinned to a version that went missing gets that version back.
      for (const v of new Set(pinnedMissing))
        await runtime.install(
          { version: v },
          ids.filter((id) => state.workers[id]?.current === v),
        );
      // Every worker named has its pin: nothing to choose (no ids: a worker about to be made).
      if (ids.length > 0 && unpinned.length === 0) return state.workers[ids[0]!]?.current ?? null;
      const version = defaultVersion() ?? (await runtime.install({ version: 'latest' }, unpinned));
      for (const id of unpinned) problems.delete(id);
      await save((s) => {
        for (const id of unpinned)
          s.workers[id] ??= {
            current: version,
            previous: null,
            switchedAt: now(),
            rolledBackFrom: null,
            rolledBackAutomatically: false,
          };
      });
      return version;
    },
    async pin(id, version) {
      if (!isInstalled(version))
        throw new CommandError('precondition', `${opts.pkg}@${version} is not installed`);
      problems.delete(id);
      await save((s) => {
        const pin = s.workers[id];
        if (pin?.current === version) return;
        s.workers[id] = {
          current: version,
          previous: pin?.current ?? null,
          switchedAt: now(),
          rolledBackFrom: null,
          rolledBackAutomatically: false,
        };
      });
    },
    async rollback(id, automatic) {
      const pin = state.workers[id];
      if (!pin?.previous)
        throw new CommandError(
          'precondition',
          'this worker has no previous managed runtime to roll back to',
        );
      if (!isInstalled(pin.previous))
        throw new CommandError(
          'precondition',
          `its previous runtime ${opts.pkg}@${pin.previous} is no longer installed`,
        );
      const from = pin.current;
      const to = pin.previous;
      await save((s) => {
        s.workers[id] = {
          current: to,
          previous: from,
          switchedAt: now(),
          rolledBackFrom: from,
          rolledBackAutomatically: automatic,
        };
      });
      return { from, to };
    },
    async forget(id) {
      problems.delete(id);
      if (!state.workers[id]) return;
      await save((s) => {
        delete s.workers[id];
      });
    },
    async prune() {
      const used = new Set<string>();
      for (const p of Object.values(state.workers)) {
        used.add(p.current);
        if (p.previous) used.add(p.previous);
      }
      const newest = [...versions.values()]
        .sort((a, b) => b.installedAt - a.installedAt)
        .slice(0, KEEP_VERSIONS)
        .map((v) => v.version);
      const removed: string[] = [];
      for (const v of [...versions.keys()]) {
        if (used.has(v) || newest.includes(v)) continue;
        // Out of the folder name space first (one rename), so no spawn can pick it half-removed.
        const trash = layout.stagingDir(`prune-${v}-${now()}`);
        await rename(layout.versionDir(v), trash);
        versions.delete(v);
        await rm(trash, { recursive: true, force: true });
        removed.push(v);
      }
      if (removed.length > 0) await scan();
      return removed;
    },
    setProblem(id, problem) {
      if (problem === null) problems.delete(id);
      else problems.set(id, problem);
    },
    overview() {
      const usedBy = (v: string) =>
        Object.entries(state.workers)
          .filter(([, p]) => p.current === v || p.previous === v)
          .map(([id]) => id);
      return {
        package: opts.pkg,
        versions: [...versions.values()]
          .sort((a, b) => compareVersions(a.version, b.version))
          .map((v) => ({
            version: v.version,
            installedAt: v.installedAt,
            usedBy: usedBy(v.version),
          })),
        install: installer.current(),
        node: { execPath: opts.node.execPath, electron: opts.node.electron },
        environment,
      };
    },
    installing: () => installer.busy(),
  };
  return runtime;
}
