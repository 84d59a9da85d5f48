// A real npm registry for the sandbox: Verdaccio on 127.0.0.1 only, with no uplink (nothing is
// ever fetched from or sent to another registry), serving the worker simulator as
// `@pipedai/worker` (SANDBOX_RELEASES). The managed worker runtime installs from it with npm's own
// machinery, exactly as it would from registry.npmjs.org or a company mirror.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { publish } from 'libnpmpublish';
import { runServer } from 'verdaccio';
import { packRelease, SANDBOX_RELEASES, WORKER_PACKAGE, type SandboxRelease } from './package.ts';

export interface SandboxRegistryOptions {
  /** 0 picks a free port; restart on the same port to bring a stopped registry back. */
  port?: number;
  /** Verdaccio's storage (published tarballs survive a restart) and its log. */
  stateDir: string;
  releases?: readonly SandboxRelease[];
}

export interface SandboxRegistry {
  /** `http://127.0.0.1:<port>` (what npm_config_registry is set to). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

async function publishedVersions(url: string): Promise<Set<string>> {
  const res = await fetch(`${url}/${WORKER_PACKAGE.replace('/', '%2f')}`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status === 404) return new Set();
  if (!res.ok) throw new Error(`the registry answered ${res.status} for ${WORKER_PACKAGE}`);
  const doc = (await res.json()) as { versions?: Record<string, unknown> };
  return new Set(Object.keys(doc.versions ?? {}));
}

export async function startSandboxRegistry(opts: SandboxRegistryOptions): Promise<SandboxRegistry> {
  const storage = join(opts.stateDir, 'storage');
  const plugins = join(opts.stateDir, 'plugins');
  await mkdir(storage, { recursive: true, mode: 0o700 });
  await mkdir(plugins, { recursive: true, mode: 0o700 });
  const server = (await runServer({
    self_path: opts.stateDir,
    storage,
    plugins,
    // No uplink: a package that is not here is a 404, never a request to the internet.
    uplinks: {},
    packages: {
      '@pipedai/*': { access: '$all', publish: '$anonymous', unpublish: '$anonymous' },
      '**': { access: '$all' },
    },
    web: { enable: false },
    log: {
      type: 'file',
      path: join(opts.stateDir, 'verdaccio.log'),
      format: 'json',
      level: 'warn',
    },
    max_body_size: '20mb',
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Verdaccio's ConfigYaml wants fields we leave to it
  } as any)) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  try {
    const have = await publishedVersions(url);
    // In order: the first publish makes 1.4.2 `latest`; later ones go under their own tag.
    for (const release of opts.releases ?? SANDBOX_RELEASES) {
      if (have.has(release.version)) continue;
      const { manifest, tarball } = await packRelease(release);
      await publish(manifest, tarball, {
        registry: `${url}/`,
        defaultTag: release.tag,
        // npm refuses to publish without a credential; Verdaccio takes any token as anonymous.
        forceAuth: { token: 'sandbox' },
        timeout: 30_000,
      });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { url, port, close };
}
