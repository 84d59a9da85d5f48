// What runs the worker runtime: the daemon's own Node. Under plain Node that is process.execPath;
// inside Electron it is the app's binary (or its macOS Helper) with ELECTRON_RUN_AS_NODE=1, which
// the desktop host passes in. npm itself is a dependency of the orchestrator, run the same way.
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

export interface NodeRuntime {
  /** The executable that runs Node scripts. */
  readonly execPath: string;
  /** Variables that make it behave as Node (ELECTRON_RUN_AS_NODE=1 inside Electron). */
  readonly env: Readonly<Record<string, string>>;
  /** True when execPath is Electron running as Node. */
  readonly electron: boolean;
}

export const plainNode = (execPath: string = process.execPath): NodeRuntime => ({
  execPath,
  env: {},
  electron: false,
});

/**
 * A file inside app.asar is readable by Electron's fs, but npm must run from real disk (its cwd,
 * its lifecycle scripts): electron-builder unpacks it (`asarUnpack`) beside the archive.
 */
export function unpackedPath(path: string): string {
  const asar = `${sep}app.asar${sep}`;
  return path.includes(asar) ? path.replace(asar, `${sep}app.asar.unpacked${sep}`) : path;
}

/** npm's CLI script as the orchestrator ships it (the `npm` dependency). */
export function bundledNpmCli(resolveFrom: string = import.meta.url): string {
  const pkg = createRequire(resolveFrom).resolve('npm/package.json');
  return unpackedPath(join(dirname(pkg), 'bin', 'npm-cli.js'));
}
