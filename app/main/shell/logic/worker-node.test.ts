import { describe, expect, it } from 'vitest';
import { electronNodeRuntime, electronNpmCli, macHelperPath } from './worker-node.ts';

const APP = '/Applications/PipedAI Orchestrator.app/Contents/MacOS/PipedAI Orchestrator';
const HELPER =
  '/Applications/PipedAI Orchestrator.app/Contents/Frameworks/PipedAI Orchestrator Helper.app/Contents/MacOS/PipedAI Orchestrator Helper';

describe('what runs workers inside Electron', () => {
  it('runs npm from beside app.asar when packaged, from the dependency in a checkout', () => {
    const dep = () => '/src/node_modules/npm/bin/npm-cli.js';
    expect(electronNpmCli({ packaged: true, resourcesPath: '/opt/P/resources' }, dep)).toBe(
      '/opt/P/resources/npm/bin/npm-cli.js',
    );
    expect(electronNpmCli({ packaged: false, resourcesPath: '/x' }, dep)).toBe(dep());
  });
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
