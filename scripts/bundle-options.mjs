// The esbuild options of the plain-Node bundles, shared by scripts/build.mjs and the test that
// checks the CLI's bundle shape (test/cli/bundle-shape.test.ts).

/**
 * ESM for Node 22. CommonJS dependencies bundled into ESM get a `require` (the banner).
 * @param {string} version
 */
export const common = (version) => ({
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
});

/**
 * dist/cli.js and its chunks. The CLI is split (esbuild code splitting): dist/cli.js is the
 * launcher and the command table, each command's code a chunk under dist/chunks/ it imports when
 * it runs. Dependencies are bundled in (no node_modules at run time: the desktop app runs dist/
 * unpacked on its own binary as Node); npm is not one of them, it runs as a script of its own.
 * @param {string} version
 * @returns {import('esbuild').BuildOptions}
 */
export const cliBundle = (version) => ({
  ...common(version),
  entryPoints: { cli: 'cli/main.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
