// The worker simulator as an npm package (`@pipedai/worker`): one esbuild bundle of the simulator
// (zod included, so the package has no dependencies and the registry needs no uplink), a bin per
// release with that release's behaviour baked in, packed as npm packs (a `package/` prefix).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as tar from 'tar';
import { mkdtemp, mkdir, rm, writeFile, chmod, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { PublishedRelease } from '../worker/published.ts';

export const WORKER_PACKAGE = '@pipedai/worker';

export interface SandboxRelease extends PublishedRelease {
  /** The dist-tag this release is published under. */
  tag: 'latest' | 'next';
}

/**
 * What the sandbox registry serves: 1.4.2 is `latest` (what a fresh install gets), 1.5.0 the
 * upgrade, 1.5.1 a release whose `run` exits 1 at start (for the rollback).
 */
export const SANDBOX_RELEASES: readonly SandboxRelease[] = [
  { version: '1.4.2', tag: 'latest' },
  { version: '1.5.0', tag: 'next' },
  { version: '1.5.1', tag: 'next', failRunAtStart: true },
];

export interface PackedRelease {
  manifest: Record<string, unknown> & { name: string; version: string };
  tarball: Buffer;
}

/** The repository root, from the sources (sandbox/registry) or the bundle (dist/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    if (existsSync(join(dir, 'sandbox', 'worker', 'published.ts'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find sandbox/worker/published.ts above the sandbox registry');
}

let simulatorBundle: Promise<string> | null = null;

/** The simulator as one ES module, built once per process. */
function bundleSimulator(): Promise<string> {
  simulatorBundle ??= build({
    entryPoints: [join(repoRoot(), 'sandbox', 'worker', 'published.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    // Whitespace and syntax only: names stay readable in a stack trace.
    minifyWhitespace: true,
    minifySyntax: true,
  }).then((r) => {
    const file = r.outputFiles[0];
    if (!file) throw new Error('esbuild produced no simulator bundle');
    return file.text;
  });
  return simulatorBundle;
}

const README = `# @pipedai/worker (sandbox simulator)

The PipedAI worker simulator of pipedai-orchestrator's sandbox, published to the sandbox's own
registry. It speaks the pipedai-worker CLI contract against the sandbox API emulator.
`;

/** Pack one release as \`npm pack\` would: package.json, README, lib/, bin/ under \`package/\`. */
export async function packRelease(release: PublishedRelease): Promise<PackedRelease> {
  const manifest = {
    name: WORKER_PACKAGE,
    version: release.version,
    description: 'PipedAI worker simulator (sandbox)',
    license: 'UNLICENSED',
    type: 'module',
    bin: { 'pipedai-worker': 'bin/pipedai-worker.js' },
    engines: { node: '>=22' },
  };
  const bin = `#!/usr/bin/env node
import { runPublished } from '../lib/simulator.js';
await runPublished(${JSON.stringify({ version: release.version, failRunAtStart: release.failRunAtStart === true })});
`;
  const dir = await mkdtemp(join(tmpdir(), 'pipedai-sandbox-pack-'));
  try {
    await mkdir(join(dir, 'lib'));
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeFile(join(dir, 'README.md'), README);
    await writeFile(join(dir, 'lib', 'simulator.js'), await bundleSimulator());
    await writeFile(join(dir, 'bin', 'pipedai-worker.js'), bin);
    await chmod(join(dir, 'bin', 'pipedai-worker.js'), 0o755);
    const tgz = join(dir, 'package.tgz');
    await tar.c(
      // A fixed mtime: the same release packs to the same bytes (and the same integrity).
      { gzip: true, file: tgz, cwd: dir, prefix: 'package', portable: true, mtime: new Date(0) },
      ['package.json', 'README.md', 'lib/simulator.js', 'bin/pipedai-worker.js'],
    );
    return { manifest, tarball: await readFile(tgz) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
