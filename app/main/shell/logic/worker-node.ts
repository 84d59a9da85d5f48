// What runs workers (and npm) inside the desktop app: the app's own binary as Node, with
// ELECTRON_RUN_AS_NODE=1 (the `runAsNode` fuse must stay on). Not utilityProcess: its children
// die with the app, and workers must outlive it (Quit hands them to the service, a crash or an
// update never cuts a run short). On macOS the Helper binary is used when present: it is
// LSUIElement, so no Dock tile appears for each worker.
import { basename, dirname, join } from 'node:path';
import type { NodeRuntime } from '../../hosts/index.ts';

/** `<App>.app/Contents/Frameworks/<Name> Helper.app/Contents/MacOS/<Name> Helper`, else null. */
export function macHelperPath(execPath: string): string | null {
  const macos = dirname(execPath);
  const contents = dirname(macos);
  if (basename(macos) !== 'MacOS' || basename(contents) !== 'Contents') return null;
  const name = basename(execPath);
  return join(contents, 'Frameworks', `${name} Helper.app`, 'Contents', 'MacOS', `${name} Helper`);
}

/**
 * npm's CLI script: beside app.asar in a packaged app (electron-builder's extraResources copy,
 * `resources/npm`), else the orchestrator's `npm` dependency (a checkout).
 */
export function electronNpmCli(
  app: { packaged: boolean; resourcesPath: string },
  fromDependency: () => string,
): string {
  return app.packaged ? join(app.resourcesPath, 'npm', 'bin', 'npm-cli.js') : fromDependency();
}

export function electronNodeRuntime(
  platform: NodeJS.Platform,
  execPath: string,
  exists: (path: string) => boolean,
): NodeRuntime {
  const helper = platform === 'darwin' ? macHelperPath(execPath) : null;
  return {
    execPath: helper && exists(helper) ? helper : execPath,
    env: { ELECTRON_RUN_AS_NODE: '1' },
    electron: true,
  };
}
