// The orchestrator's version: set at bundle time (esbuild/electron-vite `define`); when the
// sources run directly (node cli/index.ts, vitest) it is read from package.json.
import { readFileSync } from 'node:fs';

declare const __PIPEDAI_VERSION__: string | undefined;

function fromPackageJson(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0-dev';
  } catch {
    return '0.0.0-dev';
  }
}

export const VERSION: string =
  typeof __PIPEDAI_VERSION__ === 'string' ? __PIPEDAI_VERSION__ : fromPackageJson();
