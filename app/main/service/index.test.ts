import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createServiceRunner,
  hostServiceOptions,
  nodeServiceFs,
  serviceManagerFor,
  type ServiceOptions,
} from './index.ts';
import { bakedPath, parseInstallerEnv } from './spec.ts';
import { memoryFs, recordingRunner } from './test-support.ts';

const root = mkdtempSync(join(tmpdir(), 'pipedai-service-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function options(platform: NodeJS.Platform, over: Partial<ServiceOptions> = {}): ServiceOptions {
  return {
    platform,
    runner: recordingRunner().runner,
    fs: memoryFs(),
    env: {},
    uid: 1000,
    isRoot: false,
    homedir: platform === 'win32' ? 'C:\\Users\\u' : '/home/u',
    nodePath: platform === 'win32' ? 'C:\\node\\node.exe' : '/usr/bin/node',
    cliPath: platform === 'win32' ? 'C:\\cli.js' : '/opt/cli.js',
    ...over,
  };
}

describe('serviceManagerFor', () => {
  it('picks the service manager by platform', () => {
    expect(serviceManagerFor(options('linux')).describe()).toEqual({
      kind: 'systemd',
      name: 'pipedai-orchestrator',
      unitPath: '/home/u/.config/systemd/user/pipedai-orchestrator.service',
    });
    expect(serviceManagerFor(options('linux', { isRoot: true, uid: 0 })).describe().unitPath).toBe(
      '/etc/systemd/system/pipedai-orchestrator.service',
    );
    expect(serviceManagerFor(options('darwin')).describe()).toEqual({
      kind: 'launchd',
      name: 'com.marolence.pipedai-orchestrator',
      unitPath: '/home/u/Library/LaunchAgents/com.marolence.pipedai-orchestrator.plist',
    });
    expect(serviceManagerFor(options('win32')).describe()).toEqual({
      kind: 'nssm',
      name: 'PipedAIOrchestrator',
      unitPath: 'C:\\Users\\u\\.pipedai\\orchestrator\\nssm-service.txt',
    });
  });

  it('refuses an unsupported platform clearly', () => {
    expect(() => serviceManagerFor(options('freebsd'))).toThrow(
      'Unsupported platform: freebsd (the service runs on linux with systemd, darwin with launchd, win32 with NSSM)',
    );
    expect(() => serviceManagerFor(options('aix'))).toThrow(/Unsupported platform: aix/);
  });

  it('names the bad environment field', () => {
    expect(() => serviceManagerFor(options('linux', { env: { PIPEDAI_HOME: '/a\nb' } }))).toThrow(
      'installer environment: PIPEDAI_HOME: contains a control character',
    );
  });

  it('refuses a relative node path', async () => {
    await expect(
      serviceManagerFor(options('linux', { nodePath: 'node' })).install(),
    ).rejects.toThrow('node path must be absolute: node');
  });
});

describe('baked PATH', () => {
  it('POSIX: node, ~/.local/bin, Homebrew, /usr/local/bin, then the installer PATH, deduplicated, `:`-joined', () => {
    expect(
      bakedPath({
        platform: 'linux',
        nodePath: '/opt/node/bin/node',
        serviceHome: '/home/u',
        installerPath: '/usr/local/bin:/usr/bin:/opt/node/bin/:./bin::/bin',
      }),
    ).toBe('/opt/node/bin:/home/u/.local/bin:/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin');
    expect(bakedPath({ platform: 'darwin', nodePath: '/n/node', serviceHome: '/Users/u' })).toBe(
      '/n:/Users/u/.local/bin:/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin',
    );
  });

  it('Windows: node, then the installer Path, case-insensitively deduplicated, `;`-joined', () => {
    expect(
      bakedPath({
        platform: 'win32',
        nodePath: 'C:\\Program Files\\nodejs\\node.exe',
        serviceHome: 'C:\\Users\\u',
        installerPath: 'c:\\program files\\NODEJS\\;C:\\Windows\\system32;;C:\\Windows\\System32',
      }),
    ).toBe('C:\\Program Files\\nodejs;C:\\Windows\\system32');
    expect(parseInstallerEnv({ Path: 'C:\\x' }, 'win32').PATH).toBe('C:\\x');
    expect(parseInstallerEnv({ Path: '/x' }, 'linux').PATH).toBeUndefined();
  });
});

describe('on the real file system', () => {
  it('installs a user unit that runs the realpath of the CLI, with 0644 file and 0700 new folders', async () => {
    const homedir = join(root, 'home');
    const pkg = join(root, 'lib', 'pipedai orchestrator', 'dist');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'cli.js'), '');
    mkdirSync(join(root, 'bin'));
    symlinkSync(join(pkg, 'cli.js'), join(root, 'bin', 'pipedai-orchestrator'));
    // An existing folder keeps its mode: install must not chmod ~/.config.
    mkdirSync(join(homedir, '.config'), { recursive: true });
    chmodSync(join(homedir, '.config'), 0o755);
    const rec = recordingRunner((l) =>
      l.startsWith('loginctl') ? { stdout: 'Linger=yes' } : undefined,
    );
    const manager = serviceManagerFor({
      ...options('linux'),
      runner: rec.runner,
      fs: nodeServiceFs,
      env: { PATH: '/usr/bin:/bin', USER: 'u' },
      homedir,
      nodePath: process.execPath,
      cliPath: join(root, 'bin', 'pipedai-orchestrator'),
    });
    const report = await manager.install();
    const unit = readFileSync(report.unitPath, 'utf8');
    expect(unit).toContain(`ExecStart="${process.execPath}" "${join(pkg, 'cli.js')}" "start"\n`);
    expect(statSync(report.unitPath).mode & 0o777).toBe(0o644);
    expect(statSync(join(homedir, '.config', 'systemd')).mode & 0o777).toBe(0o700);
    expect(statSync(join(homedir, '.config')).mode & 0o777).toBe(0o755);
    // Reinstall overwrites in place; uninstall deletes.
    await manager.install();
    expect((await manager.uninstall()).removed).toBe(true);
    expect(() => statSync(report.unitPath)).toThrow();
  });

  it('the default runner runs a real command and reports exit code and output', async () => {
    const run = createServiceRunner('linux');
    const r = await run(process.execPath, [
      '-e',
      'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)',
    ]);
    expect(r).toEqual({ code: 3, stdout: 'out', stderr: 'err' });
    const missing = await run(join(root, 'no-such-binary'), []);
    expect(missing.code).toBeNull();
    expect(missing.stderr).toMatch(/ENOENT/);
  });

  it('hostServiceOptions describes this process as the installer', () => {
    const o = hostServiceOptions('/opt/cli.js', () => '/home/test');
    const uid = process.getuid?.() ?? -1;
    expect(o).toMatchObject({
      platform: process.platform,
      nodePath: process.execPath,
      cliPath: '/opt/cli.js',
      homedir: '/home/test',
      uid,
      isRoot: uid === 0,
    });
    expect(o.env).toBe(process.env);
    expect(o.fs).toBe(nodeServiceFs);
  });
});
