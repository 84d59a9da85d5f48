// What runs workers (and npm) inside the desktop app: the app's own binary as Node
// (electronNodeRuntime, daemon/runtime/node-runtime.ts), and npm's CLI script beside app.asar.
import { join } from 'node:path';

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
