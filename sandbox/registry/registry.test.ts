// The sandbox registry through real npm: what it publishes, that npm installs from it with its
// integrity checks, that the broken release is broken, and that a restart keeps what it served.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxRegistry, type SandboxRegistry } from './index.ts';

const NPM_CLI = join(
  dirname(createRequire(import.meta.url).resolve('npm/package.json')),
  'bin',
  'npm-cli.js',
);

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('sandbox registry', () => {
  let root: string;
  let registry: SandboxRegistry;
  const npmEnv = (): NodeJS.ProcessEnv => ({
    PATH: '/usr/bin:/bin',
    HOME: root,
    NO_PROXY: '127.0.0.1,localhost',
    npm_config_registry: registry.url,
    npm_config_cache: join(root, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  });

  beforeAll(async () => {
    root = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'registry-'));
    registry = await startSandboxRegistry({ port: 0, stateDir: join(root, 'state') });
  });
  afterAll(async () => {
    await registry.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves 1.4.2 as latest, and 1.5.0 and 1.5.1, on 127.0.0.1 only', async () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const doc = (await (await fetch(`${registry.url}/@pipedai%2fworker`)).json()) as {
      'dist-tags': Record<string, string>;
      versions: Record<string, { dist: { integrity: string } }>;
    };
    expect(doc['dist-tags'].latest).toBe('1.4.2');
    expect(Object.keys(doc.versions).sort()).toEqual(['1.4.2', '1.5.0', '1.5.1']);
    for (const v of Object.values(doc.versions)) expect(v.dist.integrity).toMatch(/^sha512-/);
    // No uplink: anything else is a 404 here, never a request to another registry.
    expect((await fetch(`${registry.url}/left-pad`)).status).toBe(404);
  });

  it('installs with npm; 1.5.1 exits non-zero at start while its version still answers', async () => {
    const prefix = join(root, 'install');
    const r = await run(
      [NPM_CLI, 'install', '--prefix', prefix, '--no-save', '@pipedai/worker@1.5.1'],
      npmEnv(),
    );
    expect(r.code, r.stderr).toBe(0);
    const bin = join(prefix, 'node_modules/@pipedai/worker/bin/pipedai-worker.js');
    const version = await run([bin, 'version'], { PATH: '/usr/bin:/bin' });
    expect(version.stdout.trim()).toBe('1.5.1');
    const started = await run([bin, 'run', '--config', join(root, 'none.json')], {
      PATH: '/usr/bin:/bin',
    });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain('broken on purpose');
  });

  it('comes back on the same port with what it served, without publishing again', async () => {
    const { port } = registry;
    await registry.close();
    expect(await fetch(`${registry.url}/@pipedai%2fworker`).catch(() => 'down')).toBe('down');
    registry = await startSandboxRegistry({ port, stateDir: join(root, 'state') });
    const r = await run([NPM_CLI, 'view', '@pipedai/worker@1.5.0', 'version'], npmEnv());
    expect(r.stdout.trim()).toBe('1.5.0');
  });
});
