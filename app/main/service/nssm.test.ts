import { stopTimeouts } from './stop-timeouts.ts';
import { describe, expect, it } from 'vitest';
import { serviceManagerFor } from './index.ts';
import { loadTemplate } from './render.ts';
import { nssmOutput, nssmPaths, renderNssmScript } from './nssm.ts';
import { parseInstallerEnv } from './spec.ts';
import { memoryFs, recordingRunner } from './test-support.ts';
import type { RunResult } from './types.ts';

const HOME = 'C:\\Users\\First Last';
const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const CLI_LINK = `${HOME}\\AppData\\Roaming\\npm\\node_modules\\pipedai\\cli.js`;
const CLI_REAL = `${HOME}\\Tools & Co (x86)\\100% done\\cli.js`;

function setup(
  opts: {
    env?: Record<string, string>;
    answer?: (line: string) => Partial<RunResult> | undefined;
  } = {},
) {
  const fs = memoryFs({ [CLI_LINK]: CLI_REAL });
  const rec = recordingRunner(opts.answer);
  const manager = serviceManagerFor({
    platform: 'win32',
    runner: rec.runner,
    fs,
    // Windows spells it `Path`; the lookup is case-insensitive there.
    env: opts.env ?? {
      Path: `C:\\Windows\\system32;C:\\Windows;${HOME}\\AppData\\Roaming\\npm;C:\\Program Files\\nodejs\\;relative\\dir`,
      USERNAME: 'First Last',
      USERDOMAIN: 'DESKTOP-1',
    },
    uid: -1,
    isRoot: false,
    homedir: HOME,
    nodePath: NODE,
    cliPath: CLI_LINK,
  });
  return { fs, rec, manager };
}

describe('NSSM install script', () => {
  it('writes install-service.bat under ~/.pipedai/orchestrator, CRLF, every value quoted for cmd.exe', async () => {
    const { fs, rec, manager } = setup();
    const report = await manager.install();
    const script = `${HOME}\\.pipedai\\orchestrator\\install-service.bat`;
    expect(report).toEqual({
      kind: 'nssm',
      name: 'PipedAIOrchestrator',
      unitPath: script,
      activated: false,
      commands: [],
      logs: `${HOME}\\.pipedai\\logs`,
      hints: [
        `Run ${script} as Administrator to install and start the service (NSSM must be on PATH: https://nssm.cc).`,
      ],
    });
    expect(rec.calls).toEqual([]);
    expect(fs.dirs.get(`${HOME}\\.pipedai\\logs`)).toBe(0o700);
    const text = fs.files.get(script)?.data ?? '';
    expect(text).not.toMatch(/[^\r]\n/);
    const lines = text.split('\r\n');
    const L = (prefix: string): string | undefined => lines.find((l) => l.startsWith(prefix));
    expect(L('rem   nssm set PipedAIOrchestrator ObjectName')).toBe(
      'rem   nssm set PipedAIOrchestrator ObjectName "DESKTOP-1\\First Last" "YOUR-PASSWORD"',
    );
    expect(L('setlocal')).toBe('setlocal EnableExtensions DisableDelayedExpansion');
    expect(L('if not exist')).toBe(
      'if not exist "C:\\Users\\First Last\\.pipedai\\logs" mkdir "C:\\Users\\First Last\\.pipedai\\logs" || goto :fail',
    );
    expect(L('nssm install ')).toBe(
      'nssm install PipedAIOrchestrator "C:\\Program Files\\nodejs\\node.exe" || goto :fail',
    );
    // The CLI path is quoted inside AppParameters; the part cmd sees unquoted has ^& ^( ^), and % is doubled.
    expect(L('nssm set PipedAIOrchestrator AppParameters')).toBe(
      'nssm set PipedAIOrchestrator AppParameters "\\"C:\\Users\\First Last\\Tools ^& Co ^(x86^)\\100%% done\\cli.js\\" start" || goto :fail',
    );
    expect(L('nssm set PipedAIOrchestrator AppDirectory')).toBe(
      'nssm set PipedAIOrchestrator AppDirectory "C:\\Users\\First Last\\.pipedai" || goto :fail',
    );
    // `;`-joined PATH (node's folder first, duplicates and relative entries dropped), and PIPEDAI_HOME always.
    expect(L('nssm set PipedAIOrchestrator AppEnvironmentExtra')).toBe(
      'nssm set PipedAIOrchestrator AppEnvironmentExtra "PATH=C:\\Program Files\\nodejs;C:\\Windows\\system32;C:\\Windows;C:\\Users\\First Last\\AppData\\Roaming\\npm" "PIPEDAI_HOME=C:\\Users\\First Last\\.pipedai" "PIPEDAI_SERVICE_MANAGER=nssm" || goto :fail',
    );
    expect(L('nssm set PipedAIOrchestrator AppStdout')).toBe(
      'nssm set PipedAIOrchestrator AppStdout "C:\\Users\\First Last\\.pipedai\\logs\\pipedai-orchestrator.out.log" || goto :fail',
    );
    expect(L('nssm set PipedAIOrchestrator AppStderr')).toBe(
      'nssm set PipedAIOrchestrator AppStderr "C:\\Users\\First Last\\.pipedai\\logs\\pipedai-orchestrator.err.log" || goto :fail',
    );
    const settings = lines
      .filter((l) => l.startsWith('nssm '))
      .map((l) => l.replace(/ \|\| goto :fail$/, ''));
    expect(
      settings.filter(
        (l) => !/AppParameters|AppDirectory|AppEnvironmentExtra|AppStd|nssm install/.test(l),
      ),
    ).toEqual([
      'nssm stop PipedAIOrchestrator >nul 2>&1',
      'nssm remove PipedAIOrchestrator confirm >nul 2>&1',
      'nssm set PipedAIOrchestrator Start SERVICE_AUTO_START',
      'nssm set PipedAIOrchestrator AppRotateFiles 1',
      'nssm set PipedAIOrchestrator AppRotateOnline 1',
      'nssm set PipedAIOrchestrator AppRotateBytes 5242880',
      'nssm set PipedAIOrchestrator AppExit Default Restart',
      'nssm set PipedAIOrchestrator AppRestartDelay 5000',
      'nssm set PipedAIOrchestrator AppStopMethodConsole 4294967295', // no limit: runs finish
      'nssm set PipedAIOrchestrator AppKillProcessTree 0', // a restart leaves the workers running
      'nssm start PipedAIOrchestrator',
    ]);
  });

  it('uses PIPEDAI_HOME for the script, logs and service environment; carries PIPEDAI_WORKER_BIN', async () => {
    const { fs, manager } = setup({
      env: {
        PATH: 'C:\\bin',
        PIPEDAI_HOME: 'D:\\Pipe Dai\\100%',
        PIPEDAI_WORKER_BIN: 'D:\\w\\pipedai-worker.cmd',
        PIPEDAI_DRAIN_CEILING_MS: '600000',
        SystemRoot: 'C:\\WINDOWS',
      },
    });
    const report = await manager.install();
    expect(report.unitPath).toBe('D:\\Pipe Dai\\100%\\orchestrator\\install-service.bat');
    const text = fs.files.get(report.unitPath)?.data ?? '';
    expect(text).toContain(
      'AppEnvironmentExtra "PATH=C:\\Program Files\\nodejs;C:\\bin" "PIPEDAI_HOME=D:\\Pipe Dai\\100%%" "PIPEDAI_WORKER_BIN=D:\\w\\pipedai-worker.cmd" "PIPEDAI_DRAIN_CEILING_MS=600000" "PIPEDAI_SERVICE_MANAGER=nssm" ||',
    );
    // The operator's 10-minute ceiling, plus a minute for the daemon to exit.
    expect(text).toContain('AppStopMethodConsole 660000 ||');
    expect(text).toContain('AppStdout "D:\\Pipe Dai\\100%%\\logs\\pipedai-orchestrator.out.log"');
    // Without USERNAME the hint names a placeholder account.
    expect(text).toContain('ObjectName ".\\YOUR-USER" "YOUR-PASSWORD"');
  });

  it('falls back to the system folders when the installer has no PATH', async () => {
    const { fs, manager } = setup({ env: { SystemRoot: 'C:\\WINDOWS' } });
    const report = await manager.install();
    expect(fs.files.get(report.unitPath)?.data).toContain(
      '"PATH=C:\\Program Files\\nodejs;C:\\WINDOWS\\System32;C:\\WINDOWS"',
    );
  });

  it('refuses a script line cmd.exe could not read', async () => {
    const spec = {
      nodePath: NODE,
      cliPath: CLI_REAL,
      args: [NODE, CLI_REAL, 'start'] as const,
      environment: [['PATH', 'C:\\x;'.repeat(3000)] as const],
      stop: stopTimeouts(null),
    };
    const paths = nssmPaths(parseInstallerEnv({}, 'win32'), HOME);
    const template = await loadTemplate('nssm-install.bat');
    expect(() => renderNssmScript(template, { spec, paths })).toThrow(
      /longer than cmd.exe accepts \(8191\): shorten PATH/,
    );
  });
});

describe('NSSM uninstall and status', () => {
  it('uninstall: nssm stop + remove confirm, then delete the script; failures reported', async () => {
    const { fs, rec, manager } = setup({
      answer: (l) =>
        l.startsWith('nssm stop')
          ? { code: 1, stderr: 'PipedAIOrchestrator: STOP: The service has not been started.' }
          : undefined,
    });
    const script = `${HOME}\\.pipedai\\orchestrator\\install-service.bat`;
    fs.files.set(script, { data: 'x', mode: 0o644 });
    const report = await manager.uninstall();
    expect(rec.calls).toEqual([
      ['nssm', 'stop', 'PipedAIOrchestrator'],
      ['nssm', 'remove', 'PipedAIOrchestrator', 'confirm'],
    ]);
    expect(report.removed).toBe(true);
    expect(report.errors).toEqual([
      '`nssm stop PipedAIOrchestrator` failed (exit 1): PipedAIOrchestrator: STOP: The service has not been started.',
    ]);
  });

  it('status: SERVICE_RUNNING is running; stopped is installed; an unknown service is not installed', async () => {
    const running = setup({ answer: () => ({ stdout: 'SERVICE_RUNNING\r\n' }) });
    expect(await running.manager.status()).toEqual({
      installed: true,
      running: true,
      detail: 'PipedAIOrchestrator: SERVICE_RUNNING',
    });
    expect(running.rec.calls).toEqual([['nssm', 'status', 'PipedAIOrchestrator']]);
    const stopped = setup({ answer: () => ({ stdout: 'SERVICE_STOPPED\r\n' }) });
    expect(await stopped.manager.status()).toEqual({
      installed: true,
      running: false,
      detail: 'PipedAIOrchestrator: SERVICE_STOPPED',
    });
    // NSSM 2.24 writes UTF-16 into a pipe.
    const utf16 = setup({
      answer: () => ({ stdout: 'S\0E\0R\0V\0I\0C\0E\0_\0R\0U\0N\0N\0I\0N\0G\0\r\0\n\0' }),
    });
    expect(await utf16.manager.status()).toMatchObject({ installed: true, running: true });
    const missing = setup({
      answer: () => ({
        code: 3,
        stderr:
          "Can't open service!\r\nOpenService(): The specified service does not exist as an installed service.",
      }),
    });
    expect(await missing.manager.status()).toEqual({
      installed: false,
      running: false,
      detail: "PipedAIOrchestrator: Can't open service!",
    });
    expect(nssmOutput('\uFEFFSERVICE_PAUSED\r\n')).toBe('SERVICE_PAUSED');
  });
});
