import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  bundledNpmCli,
  electronNodeRuntime,
  macHelperPath,
  packagedResources,
  selfNodeRuntime,
} from './node-runtime.ts';

const APP = '/Applications/PipedAI Orchestrator.app/Contents/MacOS/PipedAI Orchestrator';
const HELPER =
  '/Applications/PipedAI Orchestrator.app/Contents/Frameworks/PipedAI Orchestrator Helper.app/Contents/MacOS/PipedAI Orchestrator Helper';

describe('what runs workers inside Electron', () => {
  it('is the app binary as Node (ELECTRON_RUN_AS_NODE) on Linux and Windows', () => {
    for (const [platform, exe] of [
      ['linux', '/opt/PipedAI/pipedai-orchestrator'],
      ['win32', 'C:\\Program Files\\PipedAI\\PipedAI Orchestrator.exe'],
    ] as const)
      expect(electronNodeRuntime(platform, exe, () => true)).toEqual({
        execPath: exe,
        env: { ELECTRON_RUN_AS_NODE: '1' },
        electron: true,
      });
  });
  it('is the macOS Helper (no Dock tile per worker) when the bundle has it', () => {
    expect(macHelperPath(APP)).toBe(HELPER);
    expect(electronNodeRuntime('darwin', APP, (p) => p === HELPER).execPath).toBe(HELPER);
    expect(electronNodeRuntime('darwin', APP, () => false).execPath).toBe(APP);
    // An unpackaged Electron (a checkout) has no bundle layout.
    expect(macHelperPath('/usr/local/bin/electron')).toBeNull();
  });
});

describe("the CLI's own Node (selfNodeRuntime)", () => {
  const node = { platform: 'linux' as const, execPath: '/usr/bin/node', env: {} };
  it('is plain Node under Node', () => {
    expect(selfNodeRuntime({ ...node, versions: process.versions })).toEqual({
      execPath: '/usr/bin/node',
      env: {},
      electron: false,
    });
  });
  it("is the app's binary as Node under the launcher: children get the variable back", () => {
    const exe = '/opt/PipedAI Orchestrator/pipedai-orchestrator';
    const electron = { ...process.versions, electron: '45.5.0' };
    for (const self of [
      { ...node, execPath: exe, versions: electron, env: {} },
      // A binary standing in for Electron (the packaging check's stub): the variable says it.
      { ...node, execPath: exe, versions: process.versions, env: { ELECTRON_RUN_AS_NODE: '1' } },
    ])
      expect(selfNodeRuntime(self)).toEqual({
        execPath: exe,
        env: { ELECTRON_RUN_AS_NODE: '1' },
        electron: true,
      });
    const mac = { platform: 'darwin' as const, execPath: APP, versions: electron, env: {} };
    expect(selfNodeRuntime(mac, (p) => p === HELPER).execPath).toBe(HELPER);
  });
});

describe('the packaged layout', () => {
  it('finds the resources folder from a file in app.asar or app.asar.unpacked, on every OS', () => {
    expect(packagedResources('/opt/P O/resources/app.asar.unpacked/dist/cli.js')).toBe(
      '/opt/P O/resources',
    );
    expect(
      packagedResources('/Applications/P.app/Contents/Resources/app.asar/out/main/x.cjs'),
    ).toBe('/Applications/P.app/Contents/Resources');
    expect(
      packagedResources(
        'C:\\Users\\a b\\AppData\\Local\\Programs\\P\\resources\\app.asar.unpacked\\dist\\cli.js',
      ),
    ).toBe('C:\\Users\\a b\\AppData\\Local\\Programs\\P\\resources');
    expect(packagedResources('/home/op/src/pipedai/dist/cli.js')).toBeNull();
  });
  it("runs npm from beside app.asar when the CLI is the app's, from the dependency otherwise", () => {
    expect(
      bundledNpmCli(pathToFileURL('/opt/P/resources/app.asar.unpacked/dist/cli.js').href),
    ).toBe('/opt/P/resources/npm/bin/npm-cli.js');
    expect(bundledNpmCli()).toMatch(/node_modules\/npm\/bin\/npm-cli\.js$/);
  });
});
