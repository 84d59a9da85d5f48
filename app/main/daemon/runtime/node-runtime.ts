// What runs the worker runtime: the daemon's own Node. Under plain Node that is process.execPath;
// inside Electron it is the app's binary (or its macOS Helper) with ELECTRON_RUN_AS_NODE=1, which
// the desktop host passes in. npm itself is a dependency of the orchestrator, run the same way.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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
 * npm's CLI script as the orchestrator ships it (the `npm` dependency). The packaged desktop app
 * runs the copy beside app.asar instead (shell/logic/worker-node.ts).
 */
export function bundledNpmCli(resolveFrom: string = import.meta.url): string {
  const pkg = createRequire(resolveFrom).resolve('npm/package.json');
  return join(dirname(pkg), 'bin', 'npm-cli.js');
}
