import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNpmInstaller } from './npm.ts';
import type { ToolCommand, ToolResult } from './run-tool.ts';

const ok = (stdout = ''): ToolResult => ({
  code: 0,
  signal: null,
  stdout,
  stderr: '',
  timedOut: false,
});

function recorder(answer: (cmd: ToolCommand) => ToolResult | Promise<ToolResult> = () => ok()) {
  const seen: string[][] = [];
  return {
    seen,
    run: async (cmd: ToolCommand) => (seen.push([cmd.command, ...cmd.args]), answer(cmd)),
  };
}

describe('npm installer', () => {
  it('installs an exact version globally and refuses paths, URLs and git specs', async () => {
    const r = recorder();
    const npm = createNpmInstaller(r.run);
    expect(await npm.installVersion('@pipedai/worker', '1.5.0')).toBe('@pipedai/worker@1.5.0');
    expect(r.seen).toEqual([['npm', 'install', '-g', '@pipedai/worker@1.5.0']]);
    for (const bad of [
      'file:../x',
      'git+https://x',
      '../evil',
      '1.0.0 && rm -rf /',
      'https://x/y.tgz',
    ]) {
      expect(() => npm.installVersion('@pipedai/worker', bad)).toThrow(
        /not an installable version/,
      );
    }
    expect(r.seen).toHaveLength(1);
  });

  it('allows one install at a time and reports npm failures', async () => {
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const r = recorder(
      async () => (
        await gate,
        { code: 1, signal: null, stdout: '', stderr: 'E404 not found', timedOut: false }
      ),
    );
    const npm = createNpmInstaller(r.run);
    const first = npm.installVersion('@pipedai/worker', '1.5.0');
    expect(npm.busy()).toBe(true);
    await expect(npm.installVersion('@pipedai/worker', '1.6.0')).rejects.toMatchObject({
      code: 'conflict',
    });
    release();
    await expect(first).rejects.toThrow('npm install failed (exit 1): E404 not found');
    expect(npm.busy()).toBe(false);
  });

  it('packs a local directory and installs the tarball, without scripts unless asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pkg-'));
    try {
      const r = recorder((cmd) =>
        cmd.args[0] === 'pack' ? ok('npm notice\npipedai-worker-1.6.0.tgz\n') : ok(),
      );
      const npm = createNpmInstaller(r.run);
      const target = await npm.installFromLocal(dir);
      expect(target).toMatch(/^tarball:.*pipedai-pack-.*\/pipedai-worker-1\.6\.0\.tgz$/);
      expect(r.seen[0]?.slice(0, 4)).toEqual(['npm', 'pack', dir, '--ignore-scripts']);
      // Neither the pack nor the install runs the package's scripts by default…
      expect(r.seen[1]).toEqual([
        'npm',
        'install',
        '-g',
        target.slice('tarball:'.length),
        '--ignore-scripts',
      ]);
      // …the install does when the operator asks for it.
      const withScripts = await npm.installFromLocal(dir, { runScripts: true });
      expect(r.seen[3]).toEqual(['npm', 'install', '-g', withScripts.slice('tarball:'.length)]);
      expect(r.seen[2]?.slice(0, 4)).toEqual(['npm', 'pack', dir, '--ignore-scripts']);
      await expect(npm.installFromLocal('relative/dir')).rejects.toMatchObject({
        field: 'fromLocal',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
