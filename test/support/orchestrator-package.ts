// Our own package, @pipedai/orchestrator, at a version of the test's choosing, published to a
// sandbox registry (Verdaccio, no uplink) so a self-upgrade installs it the real way: npm into
// PIPEDAI_HOME/runtime/orchestrator/<v>/, then the proof that it runs.
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { publish } from 'libnpmpublish';
import * as tar from 'tar';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The version in package.json. */
export async function ownVersion(): Promise<string> {
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return version;
}

/** `version`'s patch moved by `delta`, as a pre-release tagged `tag`: never a real release. */
export function shiftedVersion(version: string, delta: number, tag: string): string {
  const [major, minor, patch] = version.split(/[.-]/).map(Number) as [number, number, number];
  if (patch + delta >= 0) return `${major}.${minor}.${patch + delta}-${tag}`;
  return minor > 0 ? `${major}.${minor - 1}.99-${tag}` : `${Math.max(0, major - 1)}.99.99-${tag}`;
}

/**
 * Our CLI at `version`, packed as `npm pack` would pack @pipedai/orchestrator: one bundle with
 * its dependencies inside, and `npm` (a dependency the daemon runs for installs) bundled as
 * installed here, so the registry needs no uplink.
 */
export async function packOrchestrator(version: string): Promise<{
  manifest: { name: string; version: string } & Record<string, unknown>;
  tarball: Buffer;
}> {
  const dir = await mkdtemp(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'orchestrator-pack-'));
  const { version: npmVersion } = JSON.parse(
    await readFile(join(ROOT, 'node_modules', 'npm', 'package.json'), 'utf8'),
  ) as { version: string };
  try {
    await build({
      entryPoints: [join(ROOT, 'cli/main.ts')],
      outfile: join(dir, 'dist', 'cli.js'),
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      external: ['bufferutil', 'utf-8-validate', 'electron'],
      define: { __PIPEDAI_VERSION__: JSON.stringify(version) },
      // CommonJS dependencies call require(): give the ES module one.
      banner: {
        js: "#!/usr/bin/env node\nimport { createRequire as __pipedaiRequire } from 'node:module';\nconst require = __pipedaiRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    await chmod(join(dir, 'dist', 'cli.js'), 0o755);
    const manifest = {
      name: '@pipedai/orchestrator',
      version,
      type: 'module',
      bin: { 'pipedai-orchestrator': 'dist/cli.js' },
      engines: { node: '>=22.12.0' },
      dependencies: { npm: npmVersion },
      bundleDependencies: ['npm'],
    };
    await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // Without its docs and man pages: nothing runs them.
    await cp(join(ROOT, 'node_modules', 'npm'), join(dir, 'node_modules', 'npm'), {
      recursive: true,
      filter: (src) => !/[\\/]npm[\\/](docs|man)$/.test(src),
    });
    await tar.c(
      { gzip: true, file: join(dir, 'package.tgz'), cwd: dir, prefix: 'package', portable: true },
      ['package.json', 'dist/cli.js', 'node_modules/npm'],
    );
    return { manifest, tarball: await readFile(join(dir, 'package.tgz')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Pack our CLI at each version and publish it to the sandbox registry at `registryUrl`. */
export async function publishOrchestrator(
  registryUrl: string,
  versions: readonly string[],
): Promise<void> {
  for (const version of versions) {
    const { manifest, tarball } = await packOrchestrator(version);
    await publish(manifest, tarball, {
      registry: `${registryUrl}/`,
      forceAuth: { token: 'sandbox' },
      timeout: 30_000,
    });
  }
}
