// Global installs of the worker and the orchestrator through npm, one at a time per host
// (the reference's build runs its forced install outside the lock and races upgrades).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { CommandError, InstallVersion } from '../../../shared/index.ts';
import { describeFailure, type ToolRunner } from './run-tool.ts';

export interface NpmInstaller {
  /** `npm install -g <pkg>@<version>`; returns the spec installed. */
  installVersion(pkg: string, version: string): Promise<string>;
  /**
   * `npm pack <dir>` in a fresh temp dir, then `npm install -g <tgz>`, without the tarball's
   * install scripts unless `runScripts`; returns `tarball:<path>`.
   */
  installFromLocal(dir: string, opts?: { runScripts?: boolean }): Promise<string>;
  busy(): boolean;
}

export function createNpmInstaller(
  run: ToolRunner,
  opts: { npm?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): NpmInstaller {
  const npm = opts.npm ?? 'npm';
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
    const r = await run({ command: npm, args, env: opts.env, cwd, timeoutMs });
    if (r.code !== 0) throw new CommandError('upstream', describeFailure(`npm ${args[0]}`, r));
    return r;
  };

  return {
    busy: () => inFlight,
    installVersion(pkg, version) {
      // Never a path, URL or git spec: the reference's guard checks only the package name.
      const v = InstallVersion.safeParse(version);
      if (!v.success)
        throw new CommandError(
          'bad-request',
          `not an installable version: ${JSON.stringify(version).slice(0, 60)}`,
          'version',
        );
      return exclusive(async () => {
        const spec = `${pkg}@${v.data}`;
        await npmRun(['install', '-g', spec]);
        return spec;
      });
    },
    installFromLocal(dir, { runScripts = false } = {}) {
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
          const tgz = packed.stdout
            .trim()
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
            .at(-1);
          if (!tgz || !tgz.endsWith('.tgz') || tgz.includes('/') || tgz.includes('\\')) {
            throw new CommandError('upstream', 'npm pack did not name a tarball');
          }
          const path = join(tmp, tgz);
          // The tarball's own scripts stay off unless the operator asked (runScripts).
          await npmRun(['install', '-g', path, ...(runScripts ? [] : ['--ignore-scripts'])]);
          return `tarball:${path}`;
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      });
    },
  };
}
