// Files shipped beside the CLI bundle (dist/cli.js) and the sources (cli/): both sit one level
// below the package root.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The bundle's chunks sit one level deeper (dist/chunks/), the sources and dist/cli.js one level.
const here = new URL('.', import.meta.url);
const root = fileURLToPath(new URL(here.pathname.endsWith('/chunks/') ? '../..' : '..', here));

/** The dashboard bundle built by electron-vite, or null when it has not been built. */
export function dashboardDir(): string | null {
  const dir = `${root}out/renderer`;
  return existsSync(`${dir}/index.html`) ? dir : null;
}

/** This CLI's entry script (what a service unit runs): the bundle when it exists. */
export function cliEntry(): string {
  const bundle = `${root}dist/cli.js`;
  return existsSync(bundle)
    ? bundle
    : fileURLToPath(import.meta.url).replace(/assets\.ts$/, 'index.ts');
}
