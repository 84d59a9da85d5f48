// The desktop packages' CLI launchers (build/bin), the deb's scripts that put one on PATH and the
// NSIS page that does it on Windows, run or compiled for real here: the POSIX launchers are run
// through a symlink against a stand-in app binary that records how it was started; the NSIS include
// is compiled into an installer by the real makensis (Debian's `nsis`).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('../../electron-builder.config.cjs') as {
  productName: string;
  linux: { executableName: string };
  asarUnpack: string[];
};
const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'pipedai-launchers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A stand-in for the app binary: prints its argv and the launcher's variables as JSON. */
function recorder(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `#!/bin/sh\nprintf '{"argv0":"%s","run_as_node":"%s","app":"%s","args":"%s"}' "$0" "$ELECTRON_RUN_AS_NODE" "$PIPEDAI_APP_BINARY" "$*"\n`,
  );
  chmodSync(path, 0o755);
}

function runThroughLink(launcher: string, link: string, args: string[]) {
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(launcher, link);
  const r = spawnSync(link, args, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { argv0: string; run_as_node: string; app: string; args: string };
}

describe('the CLI launchers', () => {
  it('Linux (deb, AppImage dir): the app binary as Node on the unpacked CLI, through /usr/bin', () => {
    const app = join(work, 'opt', config.productName);
    const launcher = join(app, 'resources', 'bin', 'pipedai-orchestrator');
    mkdirSync(dirname(launcher), { recursive: true });
    cpSync(join(ROOT, 'build/bin/linux/pipedai-orchestrator'), launcher);
    recorder(join(app, config.linux.executableName));
    const seen = runThroughLink(launcher, join(work, 'usr', 'bin', 'pipedai-orchestrator'), [
      'workers',
      '--json',
    ]);
    expect(seen).toEqual({
      argv0: join(app, 'pipedai-orchestrator'),
      run_as_node: '1',
      app: join(app, 'pipedai-orchestrator'),
      args: `${join(app, 'resources/app.asar.unpacked/dist/cli.js')} workers --json`,
    });
  });

  it('macOS: the Helper as Node (no Dock tile), through /usr/local/bin; the main binary starts the app', () => {
    const contents = join(work, 'Applications', `${config.productName}.app`, 'Contents');
    const launcher = join(contents, 'Resources', 'bin', 'pipedai-orchestrator');
    mkdirSync(dirname(launcher), { recursive: true });
    cpSync(join(ROOT, 'build/bin/mac/pipedai-orchestrator'), launcher);
    const name = config.productName;
    const helper = join(
      contents,
      'Frameworks',
      `${name} Helper.app`,
      'Contents',
      'MacOS',
      `${name} Helper`,
    );
    recorder(helper);
    const seen = runThroughLink(
      launcher,
      join(work, 'usr', 'local', 'bin', 'pipedai-orchestrator'),
      ['--version'],
    );
    expect(seen).toEqual({
      argv0: helper,
      run_as_node: '1',
      app: join(contents, 'MacOS', name),
      args: `${join(contents, 'Resources/app.asar.unpacked/dist/cli.js')} --version`,
    });
  });

  it('Windows: the .cmd names the app .exe and the unpacked CLI', () => {
    const cmd = readFileSync(join(ROOT, 'build/bin/win/pipedai-orchestrator.cmd'), 'utf8');
    expect(cmd).toContain(`set "PIPEDAI_APP_BINARY=%~dp0..\\..\\${config.productName}.exe"`);
    expect(cmd).toContain('"%PIPEDAI_APP_BINARY%" "%~dp0..\\app.asar.unpacked\\dist\\cli.js" %*');
    expect(cmd).toContain('set "ELECTRON_RUN_AS_NODE=1"');
    expect(cmd.split('\n').every((l) => l === '' || l.endsWith('\r'))).toBe(true); // CRLF
  });

  it('the CLI they run is unpacked from app.asar, with its chunks and what it reads', () => {
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['dist/cli.js', 'dist/chunks/**', 'templates/**']),
    );
  });

  it('the deb links /usr/bin to the launcher, not the GUI binary (and unlinks it on removal)', () => {
    const install = readFileSync(join(ROOT, 'build/linux/after-install.sh'), 'utf8');
    const remove = readFileSync(join(ROOT, 'build/linux/after-remove.sh'), 'utf8');
    const launcher = "'/opt/${sanitizedProductName}/resources/bin/${executable}'";
    expect(install).toContain(
      `update-alternatives --install '/usr/bin/\${executable}' '\${executable}' ${launcher} 100 || ln -sf ${launcher} '/usr/bin/\${executable}'`,
    );
    expect(remove).toContain(`update-alternatives --remove '\${executable}' ${launcher}`);
    for (const script of ['build/linux/after-install.sh', 'build/linux/after-remove.sh'])
      expect(spawnSync('bash', ['-n', join(ROOT, script)]).status, script).toBe(0);
  });
});

const makensis = spawnSync('makensis', ['-VERSION'], { encoding: 'utf8' });
const makensisMissing =
  makensis.error || makensis.status !== 0
    ? 'makensis is not on PATH (apt-get install nsis)'
    : undefined;
if (makensisMissing) console.log(`skipping the NSIS PATH page: ${makensisMissing}`);

describe.skipIf(makensisMissing !== undefined)(
  'the NSIS "Add to PATH" page (real makensis)',
  () => {
    // electron-builder's frame around an include, cut down: its isUpdated flag (never set here),
    // the assisted installer's pages, the install and uninstall sections that insert the macros.
    const script = (uninstallerPass: boolean) => `
Unicode true
${uninstallerPass ? '!define BUILD_UNINSTALLER' : ''}
!include MUI2.nsh
!macro _isUpdated _a _b _t _f
  StrCmp "0" "1" \`\${_t}\` \`\${_f}\`
!macroend
!define isUpdated \`"" isUpdated ""\`
!include "${join(ROOT, 'build/nsis/cli-path.nsh')}"
Name "PipedAI Orchestrator"
OutFile "${join(work, uninstallerPass ? 'uninstaller.exe' : 'installer.exe')}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\\Programs\\PipedAI Orchestrator"
!ifndef BUILD_UNINSTALLER
  !insertmacro MUI_PAGE_DIRECTORY
  !insertmacro customPageAfterChangeDir
  !insertmacro MUI_PAGE_INSTFILES
  Section "Install"
    !insertmacro customInstall
  SectionEnd
!else
  Section "Install"
  SectionEnd
  !insertmacro MUI_UNPAGE_INSTFILES
  Section "Uninstall"
    !insertmacro customUnInstall
  SectionEnd
  Function .onInit
    WriteUninstaller "$EXEDIR\\u.exe"
  FunctionEnd
!endif
!insertmacro MUI_LANGUAGE "English"
`;

    for (const uninstallerPass of [false, true])
      it(`compiles with warnings as errors (${uninstallerPass ? 'the uninstaller pass' : 'the installer'})`, () => {
        const nsi = join(work, `t-${uninstallerPass}.nsi`);
        writeFileSync(nsi, script(uninstallerPass));
        const r = spawnSync('makensis', ['-WX', '-V2', nsi], {
          encoding: 'utf8',
          timeout: 120_000,
        });
        expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
        const exe = readFileSync(join(work, uninstallerPass ? 'uninstaller.exe' : 'installer.exe'));
        expect(exe.subarray(0, 2).toString('latin1')).toBe('MZ');
      });

    it('the box is checked by default and the PATH entry is the launcher folder, kept across updates', () => {
      const nsh = readFileSync(join(ROOT, 'build/nsis/cli-path.nsh'), 'utf8');
      expect(nsh).toContain('StrCpy $CliPathWanted ${BST_CHECKED}');
      expect(nsh).toContain('t "$INSTDIR\\resources\\bin"');
      expect(nsh).toMatch(/!macro customUnInstall\n\s+\$\{IfNot\} \$\{isUpdated\}/);
    });
  },
);
