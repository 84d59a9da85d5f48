// Self-upgrade, step one: install the new orchestrator beside the running one, prove it runs,
// and point `current.json` at it. Nothing is stopped: a failed install leaves the running daemon
// as it was and says why. Step two (the hand-off to the new version) is the host's: see
// headless.ts, and cli/main.ts for how a `start` picks the newest version.
//
// `npm install --prefix <staging> @pipedai/orchestrator@<v>` into a staging folder under
// runtime/orchestrator, then a rename to `<v>/`: a half-done install is never pointed at. Versions
// before 0.8.0 were published as `pipedai-orchestrator`; a tarball of one installs the same way,
// and the entry is found through the package's own `bin`, whatever its name.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { CommandError, compareVersions } from '../../../shared/index.ts';
import { STAGING_PREFIX, type NodeRuntime } from '../runtime/index.ts';
import type { NpmInstaller } from '../tools/npm.ts';
import { describeFailure, type ToolRunner } from '../tools/run-tool.ts';
import {
  LAUNCHED_ENV,
  orchestratorRuntimeDir,
  readPointer,
  writePointer,
  type ManagedPointer,
} from './managed.ts';

export const ORCHESTRATOR_PACKAGE = '@pipedai/orchestrator';
/** The names our package has been published under (renamed to the scoped one later). */
const PACKAGE_NAMES = [ORCHESTRATOR_PACKAGE, 'pipedai-orchestrator'];
const BIN_NAME = 'pipedai-orchestrator';
const VERIFY_TIMEOUT_MS = 60_000;

const InstalledPackage = z.object({
  name: z.string(),
  version: z.string(),
  bin: z.union([z.string(), z.record(z.string(), z.string())]),
});

export interface SelfInstallResult {
  version: string;
  /** What npm installed: the spec, or `tarball:<path>`. */
  target: string;
  entry: string;
}

export interface SelfUpdater {
  install(source: {
    version?: string;
    fromLocal?: string;
    runScripts?: boolean;
    /** An older version may be installed, and the launcher then runs it (upgrade --allow-downgrade). */
    allowDowngrade?: boolean;
  }): Promise<SelfInstallResult>;
}

export interface SelfUpdaterDeps {
  home: string;
  /** The running version (kept as the one to go back to). */
  version: string;
  npm: NpmInstaller;
  /** Runs the installed CLI once to prove it starts (`node <entry> --version`). */
  run: ToolRunner;
  /** The daemon's own Node (inside Electron: its binary as Node), which runs that proof. */
  node: NodeRuntime;
  env: NodeJS.ProcessEnv;
  now?: () => number;
}

/** The installed package's CLI: its `bin` entry, inside its folder. */
async function installedEntry(prefix: string): Promise<{ version: string; entry: string }> {
  for (const name of PACKAGE_NAMES) {
    const dir = join(prefix, 'node_modules', ...name.split('/'));
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => null);
    if (text === null) continue;
    const pkg = InstalledPackage.safeParse(JSON.parse(text));
    if (!pkg.success) throw new CommandError('upstream', `${name}: its package.json is not usable`);
    const bin = typeof pkg.data.bin === 'string' ? pkg.data.bin : pkg.data.bin[BIN_NAME];
    const entry = bin === undefined ? null : resolve(dir, bin);
    if (entry === null || !entry.startsWith(dir + sep) || !existsSync(entry))
      throw new CommandError('upstream', `${name}@${pkg.data.version} has no ${BIN_NAME} command`);
    return { version: pkg.data.version, entry };
  }
  throw new CommandError('upstream', `npm installed no ${ORCHESTRATOR_PACKAGE} package`);
}

export function createSelfUpdater(deps: SelfUpdaterDeps): SelfUpdater {
  const root = orchestratorRuntimeDir(deps.home);
  const now = deps.now ?? Date.now;

  async function verify(entry: string, version: string): Promise<void> {
    const env = { ...deps.env, ...deps.node.env, [LAUNCHED_ENV]: version };
    const r = await deps.run({
      command: deps.node.execPath,
      args: [entry, '--version'],
      env,
      timeoutMs: VERIFY_TIMEOUT_MS,
      direct: true,
    });
    const printed = r.stdout.trim().split('\n').at(-1)?.trim();
    if (r.code !== 0)
      throw new CommandError('upstream', describeFailure(`${version} --version`, r));
    if (printed !== version)
      throw new CommandError(
        'upstream',
        `the installed orchestrator says it is ${printed ?? 'nothing'}, not ${version}`,
      );
  }

  /** Keep the version run now and the one before it; older managed versions go. */
  async function prune(keep: readonly string[]): Promise<void> {
    for (const name of await readdir(root).catch(() => [])) {
      if (name === 'current.json' || keep.includes(name)) continue;
      if (name.startsWith(STAGING_PREFIX) || compareVersions(name, name) === 0)
        await rm(join(root, name), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  return {
    async install(source) {
      await mkdir(root, { recursive: true, mode: 0o700 });
      const staging = await mkdtemp(join(root, STAGING_PREFIX));
      try {
        const target =
          source.fromLocal !== undefined
            ? await deps.npm.installFromLocal(source.fromLocal, {
                runScripts: source.runScripts === true,
                target: { prefix: staging },
              })
            : await deps.npm.installVersion(ORCHESTRATOR_PACKAGE, source.version ?? '', {
                prefix: staging,
              });
        const staged = await installedEntry(staging);
        if (compareVersions(staged.version, staged.version) !== 0)
          throw new CommandError('upstream', `not a version: ${staged.version}`);
        await verify(staged.entry, staged.version);
        const final = join(root, staged.version);
        await rm(final, { recursive: true, force: true });
        await rename(staging, final);
        const { entry } = await installedEntry(final);
        const before = readPointer(deps.home);
        const pointer: ManagedPointer = {
          version: staged.version,
          entry,
          previous: deps.version,
          installedAt: now(),
          unconfirmedStarts: 0,
          confirmed: false,
          ...(source.allowDowngrade === true &&
          (compareVersions(staged.version, deps.version) ?? 0) < 0
            ? { downgrade: true }
            : {}),
        };
        writePointer(deps.home, pointer);
        await prune([staged.version, ...(before ? [before.version] : [])]);
        return { version: staged.version, target, entry };
      } finally {
        await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      }
    },
  };
}
