// The self-upgrade's install, over an injected npm that lays out what `npm install --prefix`
// would, and an injected run of the installed CLI: exactly what would have run, and what is left.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plainNode } from '../runtime/index.ts';
import type { InstallTarget, NpmInstaller } from '../tools/npm.ts';
import type { ToolCommand, ToolResult } from '../tools/run-tool.ts';
import { createSelfUpdater } from './install.ts';
import { orchestratorRuntimeDir, readPointer, writePointer } from './managed.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function world(opts: { npmFails?: boolean; says?: (version: string) => string } = {}) {
  const home = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'self-update-'));
  dirs.push(home);
  const npmCalls: Array<{ spec: string; target: InstallTarget }> = [];
  const runs: ToolCommand[] = [];
  const lay = (prefix: string, version: string): void => {
    const dir = join(prefix, 'node_modules', '@pipedai', 'orchestrator');
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: '@pipedai/orchestrator',
        version,
        bin: { 'pipedai-orchestrator': 'dist/cli.js' },
      }),
    );
    writeFileSync(join(dir, 'dist', 'cli.js'), '');
  };
  const npm: NpmInstaller = {
    busy: () => false,
    async installVersion(pkg, version, target) {
      npmCalls.push({ spec: `${pkg}@${version}`, target });
      if (opts.npmFails) throw new Error('npm install failed (exit 1): 404 Not Found');
      lay(target.prefix, version === 'latest' ? '0.9.5' : version);
      return `${pkg}@${version}`;
    },
    async installFromLocal() {
      throw new Error('not used');
    },
  };
  const updater = createSelfUpdater({
    home,
    version: '0.8.0',
    npm,
    node: plainNode('/usr/bin/node'),
    env: { PATH: '/usr/bin' },
    now: () => 42,
    run: async (cmd): Promise<ToolResult> => {
      runs.push(cmd);
      // What the installed package says it is (its package.json, as the real CLI would).
      const pkg = join(cmd.args[0] ?? '', '..', '..', 'package.json');
      const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
      const said = opts.says ? opts.says(version) : '';
      return { code: 0, signal: null, stdout: `${said}\n`, stderr: '', timedOut: false };
    },
  });
  return { home, npmCalls, runs, updater, root: orchestratorRuntimeDir(home) };
}

describe('self-upgrade install', () => {
  it('installs into a staging folder with npm --prefix, proves it runs, then points current.json at it', async () => {
    const w = world({ says: () => '0.9.0' });
    const r = await w.updater.install({ version: '0.9.0' });
    expect(w.npmCalls).toHaveLength(1);
    expect(w.npmCalls[0]?.spec).toBe('@pipedai/orchestrator@0.9.0');
    expect((w.npmCalls[0]?.target as { prefix: string }).prefix).toMatch(
      /runtime\/orchestrator\/\.staging-/,
    );
    const entry = join(
      w.root,
      '0.9.0',
      'node_modules',
      '@pipedai',
      'orchestrator',
      'dist',
      'cli.js',
    );
    expect(r).toEqual({ version: '0.9.0', target: '@pipedai/orchestrator@0.9.0', entry });
    // The installed CLI was run once, with the launcher told to stay out of it.
    expect(w.runs.map((c) => [c.command, ...c.args])).toEqual([
      ['/usr/bin/node', expect.stringContaining('.staging-'), '--version'],
    ]);
    expect(w.runs[0]?.env?.PIPEDAI_LAUNCHED_VERSION).toBe('0.9.0');
    expect(readPointer(w.home)).toEqual({
      version: '0.9.0',
      entry,
      previous: '0.8.0',
      installedAt: 42,
      unconfirmedStarts: 0,
      confirmed: false,
    });
    expect(readdirSync(w.root).sort()).toEqual(['0.9.0', 'current.json']);
  });

  it('keeps the version it replaces and drops older ones', async () => {
    const w = world({ says: (v) => v });
    await w.updater.install({ version: '0.9.0' });
    mkdirSync(join(w.root, '0.7.0'));
    await w.updater.install({ version: '0.9.1' });
    expect(readdirSync(w.root).sort()).toEqual(['0.9.0', '0.9.1', 'current.json']);
    expect(readPointer(w.home)?.version).toBe('0.9.1');
  });

  it('a failed npm, or a CLI that does not answer as the version, changes nothing', async () => {
    const failing = world({ npmFails: true });
    writePointer(failing.home, {
      version: '0.8.5',
      entry: '/x',
      previous: null,
      installedAt: 1,
      unconfirmedStarts: 0,
      confirmed: true,
    });
    await expect(failing.updater.install({ version: '0.9.0' })).rejects.toThrow(/404 Not Found/);
    expect(readPointer(failing.home)?.version).toBe('0.8.5');
    expect(readdirSync(failing.root)).toEqual(['current.json']); // no staging left

    const liar = world({ says: () => '0.7.1' });
    await expect(liar.updater.install({ version: '0.9.0' })).rejects.toThrow(
      /says it is 0\.7\.1, not 0\.9\.0/,
    );
    expect(readPointer(liar.home)).toBeNull();
    expect(existsSync(join(liar.root, '0.9.0'))).toBe(false);
  });
});
