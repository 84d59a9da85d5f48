// Installs one version of the worker package into its own folder with npm's own machinery (the
// orchestrator's `npm` dependency run on the daemon's Node): the user's npm configuration
// (.npmrc, npm_config_*, scoped registries and their auth, proxies, CA) applies as it would to
// `npm install`, and so do npm's integrity checks. One install at a time (a second request for
// the same version joins the first), each bounded in time, and atomic: the version folder appears
// by one rename once the install is verified, so a half-installed version is never used.
import { createHash, randomUUID } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  statfs,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import {
  CommandError,
  errorMessage,
  InstallVersion,
  type InstallFailure,
  type RuntimeInstall,
  RUNTIME_INSTALL_BOUND_MS,
} from '../../../shared/index.ts';
import { packedTarball } from '../tools/npm.ts';
import type { ToolResult, ToolRunner } from '../tools/run-tool.ts';
import { RUNTIME_MARKER, STAGING_PREFIX, type RuntimeLayout } from './layout.ts';
import type { NodeRuntime } from './node-runtime.ts';
import { classifyNpmFailure, describeInstallFailure, npmDetail, registryIn } from './npm-errors.ts';

/** The contract's bound, which clients' waits are sized by (ANSWER_WITHIN.install). */
export const DEFAULT_INSTALL_TIMEOUT_MS = RUNTIME_INSTALL_BOUND_MS;
const RESOLVE_TIMEOUT_MS = 60_000;
const VERIFY_TIMEOUT_MS = 30_000;
const SEMVER_AT_START = /^(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/;

/**
 * A registry version (installed as npm installs it, scripts included), or a local folder packed
 * with `npm pack`, whose install scripts run only when the operator asks (`runScripts`).
 */
export type InstallSource = { version: string } | { fromLocal: string; runScripts?: boolean };

export interface InstalledRuntime {
  /** The folder name: the version, or `<version>+local.<hash>` for a local build. */
  version: string;
  dir: string;
}

export interface RuntimeInstallerDeps {
  layout: RuntimeLayout;
  pkg: string;
  node: NodeRuntime;
  /** npm's CLI script (bundledNpmCli()). */
  npmCli: string;
  run: ToolRunner;
  /** The environment npm and the verification run with (the workers' environment). */
  env: () => NodeJS.ProcessEnv;
  /** Where `node` for lifecycle scripts lives (see node-shim.ts). */
  shimDir: string;
  timeoutMs?: number;
  onProgress: (install: RuntimeInstall) => void;
  now?: () => number;
}

export class InstallError extends CommandError {
  readonly failure: InstallFailure;
  readonly registry: string | null;
  constructor(failure: InstallFailure, message: string, registry: string | null) {
    super(failure === 'not-found' ? 'not-found' : 'upstream', message);
    this.failure = failure;
    this.registry = registry;
  }
}

export interface RuntimeInstaller {
  install(source: InstallSource, workerIds?: readonly string[]): Promise<InstalledRuntime>;
  /** The install in progress, else the last one. */
  current(): RuntimeInstall | null;
  busy(): boolean;
  /** Remove staging folders an interrupted install left (older than the install timeout). */
  sweep(): Promise<void>;
}

const ViewOutput = z.object({ version: z.string(), 'dist.tarball': z.string().optional() });
const PackageJson = z.looseObject({
  name: z.string(),
  version: z.string(),
  bin: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
});

/** The `pipedai-worker` script of an installed package, from its package.json `bin`. */
export function binScript(pkgDir: string, meta: z.infer<typeof PackageJson>): string | null {
  const bin = meta.bin;
  const rel =
    typeof bin === 'string' ? bin : (bin?.['pipedai-worker'] ?? Object.values(bin ?? {})[0]);
  return rel ? join(pkgDir, rel) : null;
}

export async function readInstalledPackage(
  pkgDir: string,
): Promise<{ meta: z.infer<typeof PackageJson>; script: string | null } | null> {
  try {
    const meta = PackageJson.parse(
      JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')),
    );
    return { meta, script: binScript(pkgDir, meta) };
  } catch {
    return null;
  }
}

export function createRuntimeInstaller(deps: RuntimeInstallerDeps): RuntimeInstaller {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS;
  let last: RuntimeInstall | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  const pending = new Map<string, { promise: Promise<InstalledRuntime>; view: RuntimeInstall }>();

  const emit = (view: RuntimeInstall, patch: Partial<RuntimeInstall>): void => {
    Object.assign(view, patch);
    last = { ...view, workerIds: [...view.workerIds] };
    deps.onProgress(last);
  };

  /** npm, on our Node, with `node` on PATH for lifecycle scripts and bins. */
  const npm = (args: string[], cwd: string, ms: number): Promise<ToolResult> => {
    const env = deps.env();
    const pathKey = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
    return deps.run({
      command: deps.node.execPath,
      args: [deps.npmCli, ...args],
      env: {
        ...env,
        ...deps.node.env,
        [pathKey]: [deps.shimDir, env[pathKey] ?? ''].filter(Boolean).join(delimiter),
        npm_config_update_notifier: 'false',
        npm_config_fund: 'false',
        npm_config_audit: 'false',
      },
      cwd,
      timeoutMs: Math.max(1000, ms),
      direct: true,
    });
  };

  async function runInstall(
    source: InstallSource,
    view: RuntimeInstall,
  ): Promise<InstalledRuntime> {
    const deadline = now() + timeoutMs;
    const left = (cap: number) => Math.min(cap, deadline - now());
    const spec = view.spec;
    const fail = (failure: InstallFailure, message: string): never => {
      throw new InstallError(failure, message, view.registry);
    };
    const verifyFailed = (detail: string): never =>
      fail('verify', describeInstallFailure('verify', spec, view.registry, detail));
    const npmFailure = (r: ToolResult): never => {
      view.registry ??= registryIn(`${r.stderr}\n${r.stdout}`);
      const failure = classifyNpmFailure(r);
      return fail(failure, describeInstallFailure(failure, spec, view.registry, npmDetail(r)));
    };
    await mkdirp(deps.layout.workerRoot);
    await ensureSpace(deps.layout.workerRoot, spec, fail);

    let dependency: string;
    let version: string;
    let folder: string;
    let packed: string | null = null;
    if ('version' in source) {
      emit(view, { phase: 'resolving' });
      // No retries here: an unreachable registry is reported in a second, not after npm's
      // retry schedule (over a minute). The download below keeps the user's retry settings.
      // A throwaway cache: npm answers `view` from a stale cached document, without a word, when
      // the registry cannot be reached; the version must come from the registry itself.
      const fresh = await mkdtemp(join(deps.layout.workerRoot, '.resolve-'));
      const r = await npm(
        [
          'view',
          `${deps.pkg}@${source.version}`,
          'version',
          'dist.tarball',
          '--json',
          '--fetch-retries=0',
          '--cache',
          fresh,
        ],
        deps.layout.workerRoot,
        left(RESOLVE_TIMEOUT_MS),
      ).finally(() => rm(fresh, { recursive: true, force: true }));
      if (r.code !== 0) return npmFailure(r);
      const parsed = ViewOutput.safeParse(safeJson(r.stdout));
      if (!parsed.success)
        return fail(
          'not-found',
          describeInstallFailure('not-found', spec, view.registry, 'no single version matches'),
        );
      version = parsed.data.version;
      view.registry = parsed.data['dist.tarball']
        ? registryIn(parsed.data['dist.tarball'])
        : view.registry;
      if (!InstallVersion.safeParse(version).success)
        return fail(
          'other',
          `the registry named an odd version for ${spec}: ${version.slice(0, 40)}`,
        );
      folder = version;
      dependency = version;
      emit(view, { version });
      const existing = deps.layout.versionDir(folder);
      if (await isDir(existing)) {
        emit(view, { phase: 'done', endedAt: now() });
        return { version: folder, dir: existing };
      }
      emit(view, { phase: 'downloading' });
      const dl = await npm(
        ['cache', 'add', `${deps.pkg}@${version}`],
        deps.layout.workerRoot,
        left(timeoutMs),
      );
      if (dl.code !== 0) return npmFailure(dl);
    } else {
      emit(view, { phase: 'downloading' });
      const tmp = await mkdtemp(join(tmpdir(), 'pipedai-pack-'));
      packed = tmp;
      // --ignore-scripts: packing must not run the folder's lifecycle scripts.
      const r = await npm(
        ['pack', source.fromLocal, '--ignore-scripts', '--pack-destination', tmp],
        tmp,
        left(timeoutMs),
      );
      if (r.code !== 0) {
        await rm(tmp, { recursive: true, force: true });
        return npmFailure(r);
      }
      const tgz = packedTarball(r.stdout);
      if (!tgz) {
        await rm(tmp, { recursive: true, force: true });
        return fail('other', `npm pack of ${source.fromLocal} did not name a tarball`);
      }
      const bytes = await readFile(join(tmp, tgz));
      const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 8);
      const m = /-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.tgz$/.exec(tgz);
      version = m?.[1] ?? '0.0.0';
      folder = `${version}+local.${hash}`;
      dependency = `file:${join(tmp, tgz)}`;
      emit(view, { version: folder });
    }

    const staging = deps.layout.stagingDir(randomUUID().slice(0, 8));
    try {
      await mkdirp(staging);
      emit(view, { phase: 'installing' });
      await writeFile(
        join(staging, 'package.json'),
        `${JSON.stringify({ name: 'pipedai-worker-runtime', private: true, dependencies: { [deps.pkg]: dependency } }, null, 2)}\n`,
      );
      const skipScripts = 'fromLocal' in source && source.runScripts !== true;
      const inst = await npm(
        ['install', '--prefer-offline', ...(skipScripts ? ['--ignore-scripts'] : [])],
        staging,
        left(timeoutMs),
      );
      if (inst.code !== 0) return npmFailure(inst);

      emit(view, { phase: 'verifying' });
      const pkgDir = deps.layout.packageDir(staging, deps.pkg);
      const installed = await readInstalledPackage(pkgDir);
      if (!installed || installed.meta.name !== deps.pkg)
        return verifyFailed(`${deps.pkg} is missing after npm install`);
      if ('version' in source && installed.meta.version !== version)
        return verifyFailed(`npm installed ${installed.meta.version}, not ${version}`);
      if (!installed.script || !(await isFile(installed.script)))
        return verifyFailed('the package has no pipedai-worker bin');
      // It must run on our Node, as the supervisor will run it.
      const probe = await deps.run({
        command: deps.node.execPath,
        args: [installed.script, 'version'],
        env: { ...deps.env(), ...deps.node.env },
        cwd: staging,
        timeoutMs: Math.max(1000, left(VERIFY_TIMEOUT_MS)),
        direct: true,
      });
      const said = SEMVER_AT_START.exec(probe.stdout.trim())?.[1];
      if (probe.code !== 0 || said !== installed.meta.version)
        return verifyFailed(
          `\`pipedai-worker version\` answered ${probe.timedOut ? 'nothing in time' : JSON.stringify((probe.stdout.trim() || probe.stderr.trim()).slice(0, 80))} (exit ${probe.code ?? probe.signal})`,
        );
      await writeFile(
        join(staging, RUNTIME_MARKER),
        `${JSON.stringify({ package: deps.pkg, version: folder, installedAt: now(), registry: view.registry }, null, 2)}\n`,
      );
      const target = deps.layout.versionDir(folder);
      try {
        await rename(staging, target);
      } catch (e) {
        // Another process installed the same version meanwhile: use theirs.
        if (!(await isDir(target))) throw e;
      }
      emit(view, { phase: 'done', endedAt: now() });
      return { version: folder, dir: target };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOSPC')
        return fail('disk-full', describeInstallFailure('disk-full', spec, view.registry, ''));
      throw e;
    } finally {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      if (packed) await rm(packed, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  return {
    install(source, workerIds = []) {
      const key = 'version' in source ? `v:${source.version}` : `l:${source.fromLocal}`;
      if ('fromLocal' in source && !isAbsolute(source.fromLocal))
        return Promise.reject(
          new CommandError(
            'bad-request',
            'fromLocal must be an absolute directory path',
            'fromLocal',
          ),
        );
      if ('version' in source && !InstallVersion.safeParse(source.version).success)
        return Promise.reject(
          new CommandError(
            'bad-request',
            `not an installable version: ${JSON.stringify(source.version).slice(0, 60)}`,
            'version',
          ),
        );
      const joined = pending.get(key);
      if (joined) {
        for (const id of workerIds)
          if (!joined.view.workerIds.includes(id)) joined.view.workerIds.push(id);
        return joined.promise;
      }
      const spec =
        'version' in source
          ? `${deps.pkg}@${source.version}`
          : `${deps.pkg} from ${source.fromLocal}`;
      const view: RuntimeInstall = {
        installId: randomUUID(),
        package: deps.pkg,
        spec,
        version: null,
        phase: 'queued',
        registry: null,
        workerIds: [...workerIds],
        startedAt: now(),
        endedAt: null,
        failure: null,
        error: null,
      };
      emit(view, {});
      const promise = chain
        .catch(() => undefined)
        .then(() => runInstall(source, view))
        .catch((e: unknown) => {
          const failure = e instanceof InstallError ? e.failure : 'other';
          const message = errorMessage(e);
          emit(view, { phase: 'failed', endedAt: now(), failure, error: message });
          throw e instanceof CommandError
            ? e
            : new InstallError(
                'other',
                describeInstallFailure('other', spec, view.registry, message),
                view.registry,
              );
        })
        .finally(() => pending.delete(key));
      chain = promise.catch(() => undefined);
      pending.set(key, { promise, view });
      return promise;
    },
    current: () => last,
    busy: () => pending.size > 0,
    async sweep() {
      const names = await readdir(deps.layout.workerRoot).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.startsWith(STAGING_PREFIX) && !name.startsWith('.resolve-')) continue;
        const dir = join(deps.layout.workerRoot, name);
        const st = await stat(dir).catch(() => null);
        if (st && now() - st.mtimeMs > timeoutMs) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function mkdirp(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}

/** Refuse early when the disk is (nearly) full, instead of leaving npm to fail half-way. */
async function ensureSpace(
  dir: string,
  spec: string,
  fail: (f: InstallFailure, m: string) => never,
): Promise<void> {
  const st = await statfs(dir).catch(() => null);
  if (st && st.bavail * st.bsize < 50 * 1024 * 1024)
    fail(
      'disk-full',
      `no space left on the disk to install ${spec}: less than 50 MB free under ${dir}`,
    );
}
