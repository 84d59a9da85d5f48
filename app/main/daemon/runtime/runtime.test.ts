// The managed runtime's decisions without a registry: what wins (override, pin, PATH, none),
// pins and rollbacks, pruning to the last two plus what workers use, a half-made folder never
// used, npm failures in the operator's words, and the `node` shim per platform.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ToolResult } from '../tools/run-tool.ts';
import {
  compareVersions,
  createWorkerRuntime,
  findOnPath,
  nodeShim,
  plainNode,
  runtimeLayout,
} from './index.ts';
import { classifyNpmFailure, describeInstallFailure, registryIn } from './npm-errors.ts';

const root = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'runtime-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A version folder as a finished install leaves it (marker last); `marker: false` = half-made. */
function fakeInstall(home: string, version: string, at: number, marker = true): void {
  const dir = runtimeLayout(home).versionDir(version);
  const pkg = join(dir, 'node_modules/@pipedai/worker');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: '@pipedai/worker', version, bin: { 'pipedai-worker': 'bin/w.js' } }),
  );
  writeFileSync(join(pkg, 'bin/w.js'), '');
  if (marker)
    writeFileSync(join(dir, '.pipedai-runtime.json'), JSON.stringify({ version, installedAt: at }));
}

const never = async (): Promise<ToolResult> => {
  throw new Error('no npm in this test');
};

async function runtimeIn(name: string, env: NodeJS.ProcessEnv = { PATH: '/nonexistent' }) {
  const home = join(root, name);
  mkdirSync(home);
  const rt = createWorkerRuntime({
    home,
    pkg: '@pipedai/worker',
    platform: 'linux',
    node: plainNode('/opt/node/bin/node'),
    npmCli: '/x/npm-cli.js',
    run: never,
    env,
  });
  return { home, rt };
}

describe('which pipedai-worker a worker runs', () => {
  it('pinned managed version on our Node; a half-made folder is never used; PATH only unpinned', async () => {
    const bin = join(root, 'pathbin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'pipedai-worker'), '');
    const { home, rt } = await runtimeIn('pins', { PATH: bin });
    fakeInstall(home, '1.4.2', 1);
    fakeInstall(home, '1.5.0', 2, false);
    await rt.load();
    expect(rt.overview().versions.map((v) => v.version)).toEqual(['1.4.2']);
    // Unpinned: the user's own pipedai-worker on PATH keeps working.
    expect(rt.plan('w1')).toMatchObject({ source: 'path', command: join(bin, 'pipedai-worker') });
    expect(await rt.ensure([])).toBe('1.4.2');
    expect(await rt.ensure(['w1'])).toBe('1.4.2');
    expect(rt.plan('w1')).toMatchObject({
      source: 'managed',
      command: '/opt/node/bin/node',
      args: [join(home, 'runtime/worker/1.4.2/node_modules/@pipedai/worker/bin/w.js')],
      direct: true,
    });
    await expect(rt.pin('w1', '1.5.0')).rejects.toThrow(/not installed/);
  });

  it('switches, rolls back, keeps what workers use plus the newest two, prunes the rest', async () => {
    const { home, rt } = await runtimeIn('prune');
    for (const [v, at] of [
      ['1.3.0', 1],
      ['1.4.2', 2],
      ['1.5.0', 3],
      ['1.5.1', 4],
    ] as const)
      fakeInstall(home, v, at);
    await rt.load();
    await rt.pin('a', '1.3.0');
    await rt.pin('a', '1.5.1');
    expect(rt.view('a')).toMatchObject({ version: '1.5.1', previous: '1.3.0' });
    expect(await rt.rollback('a', true)).toEqual({ from: '1.5.1', to: '1.3.0' });
    expect(rt.view('a')).toMatchObject({
      version: '1.3.0',
      previous: '1.5.1',
      rolledBackFrom: '1.5.1',
      rolledBackAutomatically: true,
    });
    expect(await rt.prune()).toEqual(['1.4.2']);
    expect(existsSync(join(home, 'runtime/worker/1.4.2'))).toBe(false);
    // A new worker never gets a version another was rolled back from.
    expect(await rt.ensure(['b'])).toBe('1.5.0');
    await rt.forget('a');
    await rt.forget('b');
    expect(await rt.prune()).toEqual(['1.3.0']);
  });

  it('PIPEDAI_WORKER_BIN wins over everything and installs nothing; no runtime says so', async () => {
    const { rt } = await runtimeIn('override', { PIPEDAI_WORKER_BIN: '/sim/pipedai-worker' });
    await rt.load();
    expect(rt.plan('w')).toMatchObject({ source: 'override', command: '/sim/pipedai-worker' });
    expect(await rt.ensure(['w'])).toBeNull();
    const none = await runtimeIn('none');
    await none.rt.load();
    expect(none.rt.plan('w')).toEqual({
      source: 'none',
      problem: 'no pipedai-worker runtime is installed for it yet',
    });
    // A worker about to be built: nothing installed yet, so npm is asked for `latest`.
    await expect(none.rt.ensure([])).rejects.toThrow(/installing @pipedai\/worker@latest/);
  });
});

const npmResult = (stderr: string, over: Partial<ToolResult> = {}): ToolResult => ({
  code: 1,
  signal: null,
  stdout: '',
  stderr,
  timedOut: false,
  ...over,
});

describe('npm failures in the operator’s words', () => {
  it.each([
    [
      'npm error code E404\nnpm error 404 Not Found - GET https://r.example/@pipedai%2fworker',
      'not-found',
    ],
    ['npm error code E401\nnpm error Unable to authenticate', 'auth'],
    ['npm error code EINTEGRITY\nnpm error sha512-… integrity checksum failed', 'integrity'],
    ['npm error code ENOSPC\nnpm error nospc', 'disk-full'],
    [
      'npm error code ECONNREFUSED\nnpm error request to http://127.0.0.1:9/x failed',
      'unreachable',
    ],
    ['npm error code ENOTFOUND', 'unreachable'],
    ['npm error code EWHATEVER', 'other'],
  ] as const)('%s → %s', (stderr, failure) => {
    expect(classifyNpmFailure(npmResult(stderr))).toBe(failure);
  });
  it('a timeout, and the registry without credentials', () => {
    expect(classifyNpmFailure(npmResult('', { timedOut: true }))).toBe('timeout');
    expect(registryIn('GET https://user:s3cret@npm.example.com/@pipedai%2fworker - 401')).toBe(
      'https://npm.example.com',
    );
    expect(
      describeInstallFailure('auth', '@pipedai/worker@1.5.0', 'https://npm.example.com', ''),
    ).toBe(
      'https://npm.example.com refused @pipedai/worker@1.5.0: check the auth token for it in your .npmrc',
    );
  });
});

describe('runtime plumbing', () => {
  it('orders versions numerically', () => {
    expect(['1.10.0', '1.5.0', '1.5.0-rc.1', '1.9.3'].sort(compareVersions)).toEqual([
      '1.5.0-rc.1',
      '1.5.0',
      '1.9.3',
      '1.10.0',
    ]);
  });
  it('finds programs on PATH, with PATHEXT on Windows', () => {
    const files = new Set(['/a/pipedai-worker', 'C:\\n\\pipedai-worker.cmd']);
    const has = (p: string) => files.has(p.replace(/\//g, p.startsWith('C:') ? '\\' : '/'));
    expect(findOnPath('pipedai-worker', { PATH: '/x:/a' }, 'linux', has)).toBe('/a/pipedai-worker');
    expect(
      findOnPath('pipedai-worker', { Path: 'C:\\n', PATHEXT: '.EXE;.CMD' }, 'win32', has),
    ).toMatch(/pipedai-worker\.cmd$/);
  });
  it('writes `node` for lifecycle scripts: the daemon’s Node, as Node inside Electron', () => {
    const electron = {
      execPath: "/Apps/P's.app/Contents/MacOS/P",
      env: { ELECTRON_RUN_AS_NODE: '1' },
      electron: true,
    };
    expect(nodeShim('darwin', electron).content).toBe(
      "#!/bin/sh\n# Written by pipedai-orchestrator: its own Node, for the worker runtime.\nexport ELECTRON_RUN_AS_NODE='1'\nexec '/Apps/P'\\''s.app/Contents/MacOS/P' \"$@\"\n",
    );
    const win = nodeShim('win32', { ...electron, execPath: 'C:\\P\\P.exe' });
    expect(win.name).toBe('node.cmd');
    expect(win.content).toContain('@set "ELECTRON_RUN_AS_NODE=1"');
    expect(win.content).toContain('"C:\\P\\P.exe" %*');
  });
});
