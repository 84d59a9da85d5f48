// Builds everything: the Electron app (main, preload, renderer) with electron-vite,
// and the plain-Node bundles (CLI + headless daemon, sandbox) with esbuild.
import { build } from 'esbuild';
import { cliBundle, common } from './bundle-options.mjs';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const onlyNode = process.argv.includes('--node-only');
if (!onlyNode) {
  const r = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

rmSync('dist/chunks', { recursive: true, force: true });
await build(cliBundle(version));
// The sandbox (tests, bench, demo) runs from the repository: its dependencies stay outside.
await build({
  ...common(version),
  entryPoints: { sandbox: 'sandbox/index.ts' },
  outdir: 'dist',
  packages: 'external',
});
chmodSync('dist/cli.js', 0o755);
chmodSync('dist/sandbox.js', 0o755);
