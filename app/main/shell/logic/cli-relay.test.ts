import { describe, expect, it } from 'vitest';
import { cliRelay } from './cli-relay.ts';

const base = {
  packaged: true,
  execPath: '/tmp/.mount_PipedA1/pipedai-orchestrator',
  resourcesPath: '/tmp/.mount_PipedA1/resources',
  env: { APPIMAGE: '/home/op/P.AppImage', PATH: '/usr/bin' },
};

describe("the app's binary given a CLI command", () => {
  it('runs the bundled CLI on itself as Node (the AppImage path)', () => {
    const argv = [base.execPath, '--no-sandbox', 'workers', '--json'];
    expect(cliRelay({ ...base, argv })).toEqual({
      command: base.execPath,
      args: [
        '/tmp/.mount_PipedA1/resources/app.asar.unpacked/dist/cli.js',
        '--no-sandbox',
        'workers',
        '--json',
      ],
      env: {
        ...base.env,
        ELECTRON_RUN_AS_NODE: '1',
        PIPEDAI_APP_BINARY: base.execPath,
      },
    });
  });
  it('starts the app otherwise, and never relays from a checkout', () => {
    expect(cliRelay({ ...base, argv: [base.execPath] })).toBeNull();
    expect(cliRelay({ ...base, argv: [base.execPath, '--hidden'] })).toBeNull();
    expect(cliRelay({ ...base, packaged: false, argv: ['electron', 'status'] })).toBeNull();
  });
});
