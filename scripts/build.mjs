// Builds everything: the Electron app (main, preload, renderer) with electron-vite,
// and the plain-Node bundles (CLI + headless daemon, sandbox) with esbuild.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const onlyNode = process.argv.includes('--node-only');
if (!onlyNode) {
  const r = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The CLI is split (esbuild code splitting): dist/cli.js is the launcher and the command table,
// each command's code a chunk under dist/chunks/ it imports when it runs. Dependencies are bundled
// in (no node_modules at run time: the desktop app runs dist/ unpacked on its own binary as Node);
// npm is not one of them, it runs as a script of its own. CommonJS dependencies get a `require`.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  define: { __PIPEDAI_VERSION__: JSON.stringify(version) },
  // ws's optional native speed-ups: loaded in a try, absent here.
  external: ['bufferutil', 'utf-8-validate'],
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __pipedaiRequire } from 'node:module';",
      'const require = __pipedaiRequire(import.meta.url);',
    ].join('\n'),
  },
};
rmSync('dist/chunks', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { cli: 'cli/main.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
// The sandbox (tests, bench, demo) runs from the repository: its dependencies stay outside.
await build({
  ...common,
  entryPoints: { sandbox: 'sandbox/index.ts' },
  outdir: 'dist',
  packages: 'external',
});
chmodSync('dist/cli.js', 0o755);
chmodSync('dist/sandbox.js', 0o755);
