// Builds everything: the Electron app (main, preload, renderer) with electron-vite,
// and the plain-Node bundles (CLI + headless daemon, sandbox) with esbuild.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const onlyNode = process.argv.includes('--node-only');
if (!onlyNode) {
  const r = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  define: { __PIPEDAI_VERSION__: JSON.stringify(version) },
};
// The CLI is self-contained (its dependencies bundled in): the desktop app runs it from
// app.asar.unpacked, where no node_modules is beside it. npm stays a separate script it runs.
await build({
  ...common,
  entryPoints: { cli: 'cli/main.ts' },
  outdir: 'dist',
  // The CommonJS dependencies bundled into this ES module (tree-kill, ws) call require().
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __cjsRequire } from 'node:module';\nconst require = __cjsRequire(import.meta.url);",
  },
});
await build({
  ...common,
  packages: 'external',
  entryPoints: { sandbox: 'sandbox/index.ts' },
  outdir: 'dist',
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync('dist/cli.js', 0o755);
chmodSync('dist/sandbox.js', 0o755);
