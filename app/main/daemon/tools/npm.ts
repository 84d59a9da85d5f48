// Installs of the orchestrator itself through npm (self-upgrade, into a folder it manages, see
// self-update/), one at a time per host. The worker is never installed this way: it lives in the
// managed runtime (daemon/runtime/).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { CommandError, InstallVersion } from '../../../shared/index.ts';
import { describeFailure, type ToolRunner } from './run-tool.ts';

/** Where an install goes: a folder of ours (`npm install --prefix`), never npm's global one. */
export interface InstallTarget {
  prefix: string;
}

export interface NpmInstaller {
  /** `npm install --prefix <target> <pkg>@<version>`; returns the spec installed. */
  installVersion(pkg: string, version: string, target: InstallTarget): Promise<string>;
  /**
   * `npm pack <dir>` in a fresh temp dir, then `npm install --prefix <target> <tgz>`, without
   * the tarball's install scripts unless `runScripts`; returns `tarball:<path>`.
   */
  installFromLocal(
    dir: string,
    opts: { runScripts?: boolean; target: InstallTarget },
  ): Promise<string>;
  busy(): boolean;
}

const targetArgs = (t: InstallTarget): string[] => [
  '--prefix',
  t.prefix,
  '--no-audit',
  '--no-fund',
];

/** The tarball `npm pack` named (its last line), or null when it named none or a path. */
export function packedTarball(stdout: string): string | null {
  const tgz = stdout
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1);
  return tgz && tgz.endsWith('.tgz') && !/[\\/]/.test(tgz) ? tgz : null;
}

export function createNpmInstaller(
  run: ToolRunner,
  opts: {
    npm?: string;
    /** Before npm's own argv: the bundled npm's script when `npm` is our Node. */
    npmArgs?: readonly string[];
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
  } = {},
): NpmInstaller {
  const npm = opts.npm ?? 'npm';
  const prefix = opts.npmArgs ?? [];
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  let inFlight = false;

  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (inFlight)
      throw new CommandError(
        'conflict',
        'an install is already in flight on this host; try again when it finishes',
      );
    inFlight = true;
    try {
      return await fn();
    } finally {
      inFlight = false;
    }
  }

  const npmRun = async (args: string[], cwd?: string) => {
    const r = await run({
      command: npm,
      args: [...prefix, ...args],
      env: opts.env,
      cwd,
      timeoutMs,
      ...(prefix.length > 0 ? { direct: true } : {}),
    });
    if (r.code !== 0) throw new CommandError('upstream', describeFailure(`npm ${args[0]}`, r));
    return r;
  };

  return {
    busy: () => inFlight,
    installVersion(pkg, version, target) {
      // Never a path, URL or git spec: checking the package name alone is not enough.
      const v = InstallVersion.safeParse(version);
      if (!v.success)
        throw new CommandError(
          'bad-request',
          `not an installable version: ${JSON.stringify(version).slice(0, 60)}`,
          'version',
        );
      return exclusive(async () => {
        const spec = `${pkg}@${v.data}`;
        await npmRun(['install', ...targetArgs(target), spec]);
        return spec;
      });
    },
    installFromLocal(dir, { runScripts = false, target }) {
      return exclusive(async () => {
        if (!isAbsolute(dir))
          throw new CommandError(
            'bad-request',
            'fromLocal must be an absolute directory path',
            'fromLocal',
          );
        const st = await stat(dir).catch(() => null);
        if (!st?.isDirectory())
          throw new CommandError(
            'bad-request',
            `fromLocal is not a directory: ${dir}`,
            'fromLocal',
          );
        const tmp = await mkdtemp(join(tmpdir(), 'pipedai-pack-'));
        try {
          // --ignore-scripts: packing must not run the directory's lifecycle scripts.
          const packed = await npmRun(
            ['pack', dir, '--ignore-scripts', '--pack-destination', tmp],
            tmp,
          );
          const tgz = packedTarball(packed.stdout);
          if (!tgz) throw new CommandError('upstream', 'npm pack did not name a tarball');
          const path = join(tmp, tgz);
          // The tarball's own scripts stay off unless the operator asked (runScripts).
          await npmRun([
            'install',
            ...targetArgs(target),
            path,
            ...(runScripts ? [] : ['--ignore-scripts']),
          ]);
          return `tarball:${path}`;
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      });
    },
  };
}
