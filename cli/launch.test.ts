import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { commanderParseOptions } from './args.ts';
import { desktopLaunch, guiCommand, macAppBundle, packagedLauncher } from './launch.ts';

const LINUX_APP = '/opt/PipedAI Orchestrator/pipedai-orchestrator';
const MAC_APP = '/Applications/PipedAI Orchestrator.app/Contents/MacOS/PipedAI Orchestrator';
const WIN_APP =
  'C:\\Users\\A B\\AppData\\Local\\Programs\\PipedAI Orchestrator\\PipedAI Orchestrator.exe';
const launched = (appBinary: string, more: Record<string, string> = {}) => ({
  ELECTRON_RUN_AS_NODE: '1',
  PIPEDAI_APP_BINARY: appBinary,
  ...more,
});
/** process.argv as Node lays it out under the launcher: the binary, the script, the user's args. */
const argv = (exe: string, ...args: string[]) => [exe, '/r/app.asar.unpacked/dist/cli.js', ...args];

describe('the launcher: the GUI or the CLI', () => {
  it('Linux: no arguments, or desktop flags only, start the app binary itself', () => {
    expect(desktopLaunch('linux', argv(LINUX_APP), launched(LINUX_APP))).toEqual({
      command: LINUX_APP,
      args: [],
    });
    expect(desktopLaunch('linux', argv(LINUX_APP, '--hidden'), launched(LINUX_APP))).toEqual({
      command: LINUX_APP,
      args: ['--hidden'],
    });
  });
  it('AppImage: the app starts through $APPIMAGE (its mount ends with this process)', () => {
    const env = launched('/tmp/.mount_PipedAXyz/pipedai-orchestrator', {
      APPIMAGE: '/home/op/Apps/PipedAI Orchestrator-0.8.0.AppImage',
    });
    expect(desktopLaunch('linux', argv('/tmp/.mount_PipedAXyz/pipedai-orchestrator'), env)).toEqual(
      {
        command: '/home/op/Apps/PipedAI Orchestrator-0.8.0.AppImage',
        args: [],
      },
    );
  });
  it('macOS: through Launch Services, the bundle found from the binary (or its Helper)', () => {
    const helper =
      '/Applications/PipedAI Orchestrator.app/Contents/Frameworks/PipedAI Orchestrator Helper.app/Contents/MacOS/PipedAI Orchestrator Helper';
    expect(desktopLaunch('darwin', argv(helper), launched(MAC_APP))).toEqual({
      command: 'open',
      args: ['-a', '/Applications/PipedAI Orchestrator.app'],
    });
    expect(desktopLaunch('darwin', argv(helper, '--hidden'), launched(MAC_APP))).toEqual({
      command: 'open',
      args: ['-a', '/Applications/PipedAI Orchestrator.app', '--args', '--hidden'],
    });
    expect(macAppBundle(helper)).toBe('/Applications/PipedAI Orchestrator.app');
    expect(guiCommand('darwin', '/usr/local/bin/electron', {}, [])).toEqual({
      command: '/usr/local/bin/electron',
      args: [],
    });
  });
  it('Windows: the app .exe', () => {
    expect(desktopLaunch('win32', argv(WIN_APP, '--hidden'), launched(WIN_APP))).toEqual({
      command: WIN_APP,
      args: ['--hidden'],
    });
  });
  it('a command, a flag of the CLI, or no launcher: the CLI runs', () => {
    for (const args of [['workers', '--json'], ['--version'], ['--help'], ['--hidden', 'status']])
      expect(desktopLaunch('linux', argv(LINUX_APP, ...args), launched(LINUX_APP))).toBeNull();
    // cli.js under plain Node (an npm install): there is no app to start.
    expect(desktopLaunch('linux', argv('/usr/bin/node'), {})).toBeNull();
  });
  it("finds the package's launcher beside the CLI script, per OS", () => {
    expect(packagedLauncher('linux', '/opt/P O/resources/app.asar.unpacked/dist/cli.js')).toBe(
      '/opt/P O/resources/bin/pipedai-orchestrator',
    );
    expect(packagedLauncher('win32', 'C:\\P\\resources\\app.asar.unpacked\\dist\\cli.js')).toBe(
      'C:\\P\\resources\\bin\\pipedai-orchestrator.cmd',
    );
    expect(
      packagedLauncher('linux', '/usr/lib/node_modules/@pipedai/orchestrator/dist/cli.js'),
    ).toBeNull();
  });
});

describe('commander under Electron as Node', () => {
  const versions = process.versions as Record<string, string | undefined>;
  const realArgv = process.argv;
  afterEach(() => {
    delete versions.electron;
    process.argv = realArgv;
  });
  const program = () => {
    const seen: Array<{ json: boolean }> = [];
    const p = new Command('pipedai-orchestrator').exitOverride().configureOutput({
      writeErr: () => undefined,
      writeOut: () => undefined,
    });
    p.command('workers')
      .option('--json', 'as JSON', false)
      .action((o: { json: boolean }) => void seen.push(o));
    return { p, seen };
  };

  it('parses the arguments after the script when process.versions.electron is set', () => {
    versions.electron = '45.5.0';
    process.argv = argv(LINUX_APP, 'workers', '--json');
    const { p, seen } = program();
    p.parse(process.argv, commanderParseOptions());
    expect(seen).toEqual([{ json: true }]);
  });
  it("(commander's own detection would take the script for the first argument there)", () => {
    versions.electron = '45.5.0';
    process.argv = argv(LINUX_APP, 'workers', '--json');
    const { p, seen } = program();
    expect(() => p.parse()).toThrow();
    expect(seen).toEqual([]);
  });
});
