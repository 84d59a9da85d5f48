// What runs the worker runtime: the daemon's own Node. Under plain Node that is process.execPath;
// inside Electron (the desktop app, or its bundled CLI run by the launcher) it is the app's binary
// (or its macOS Helper) with ELECTRON_RUN_AS_NODE=1. npm itself is a dependency of the
// orchestrator, run the same way. Not utilityProcess: its children die with the app, and workers
// must outlive it (the `runAsNode` fuse stays on for this; README "Security").
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NodeRuntime {
  /** The executable that runs Node scripts. */
  readonly execPath: string;
  /** Variables that make it behave as Node (ELECTRON_RUN_AS_NODE=1 inside Electron). */
  readonly env: Readonly<Record<string, string>>;
  /** True when execPath is Electron running as Node. */
  readonly electron: boolean;
}

/** Electron's switch that starts its binary as plain Node (its mere presence counts). */
export const RUN_AS_NODE = 'ELECTRON_RUN_AS_NODE';

export const plainNode = (execPath: string = process.execPath): NodeRuntime => ({
  execPath,
  env: {},
  electron: false,
});

/** `<App>.app/Contents/Frameworks/<Name> Helper.app/Contents/MacOS/<Name> Helper`, else null. */
export function macHelperPath(execPath: string): string | null {
  const macos = dirname(execPath);
  const contents = dirname(macos);
  if (basename(macos) !== 'MacOS' || basename(contents) !== 'Contents') return null;
  const name = basename(execPath);
  return join(contents, 'Frameworks', `${name} Helper.app`, 'Contents', 'MacOS', `${name} Helper`);
}

/**
 * The app's binary as Node. On macOS the Helper binary is used when present: it is LSUIElement,
 * so no Dock tile appears for each worker.
 */
export function electronNodeRuntime(
  platform: NodeJS.Platform,
  execPath: string,
  exists: (path: string) => boolean,
): NodeRuntime {
  const helper = platform === 'darwin' ? macHelperPath(execPath) : null;
  return {
    execPath: helper && exists(helper) ? helper : execPath,
    env: { [RUN_AS_NODE]: '1' },
    electron: true,
  };
}

export interface SelfProcess {
  platform: NodeJS.Platform;
  execPath: string;
  versions: NodeJS.ProcessVersions;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * This process's own Node: plain Node, or (the desktop app's bundled CLI, started by its launcher
 * with ELECTRON_RUN_AS_NODE) the app's binary, which needs that variable again for each child
 * it runs as Node. The variable's presence counts as Electron even where the binary standing in
 * for it is a real Node (the packaging check's stub): setting it for a Node child is harmless.
 */
export function selfNodeRuntime(
  self: SelfProcess = process,
  exists: (path: string) => boolean = () => false,
): NodeRuntime {
  const electron = self.versions.electron !== undefined || self.env[RUN_AS_NODE] !== undefined;
  return electron
    ? electronNodeRuntime(self.platform, self.execPath, exists)
    : plainNode(self.execPath);
}

/**
 * The packaged app's `resources` folder when `path` lies inside its app.asar or beside it in
 * app.asar.unpacked (electron-builder's layout on every OS), else null (a checkout, npm).
 */
export function packagedResources(path: string): string | null {
  const sep = path.includes('\\') ? '\\' : '/';
  const parts = path.split(sep);
  const i = parts.findIndex((s) => s === 'app.asar' || s === 'app.asar.unpacked');
  return i > 1 ? parts.slice(0, i).join(sep) : null;
}

/**
 * npm's CLI script: beside app.asar in a packaged app (electron-builder's extraResources copy,
 * `resources/npm`), else the orchestrator's `npm` dependency (a checkout, an npm install).
 */
export function bundledNpmCli(resolveFrom: string = import.meta.url): string {
  const resources = packagedResources(
    resolveFrom.startsWith('file:') ? fileURLToPath(resolveFrom) : resolveFrom,
  );
  if (resources) return join(resources, 'npm', 'bin', 'npm-cli.js');
  const pkg = createRequire(resolveFrom).resolve('npm/package.json');
  return join(dirname(pkg), 'bin', 'npm-cli.js');
}
