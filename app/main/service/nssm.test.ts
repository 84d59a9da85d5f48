// Windows cannot run here: these tests assert exactly what `install` and `uninstall` would run
// (every icacls and nssm argv, in order) and what they write, against a recording runner and an
// in-memory file system.
import { describe, expect, it } from 'vitest';
import { serviceManagerFor } from './index.ts';
import { isElevated, nssmOutput, serviceAccount } from './nssm.ts';
import { parseInstallerEnv } from './spec.ts';
import { memoryFs, recordingRunner } from './test-support.ts';
import type { RunResult } from './types.ts';

const HOME = 'C:\\Users\\First Last';
const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const CLI_LINK = `${HOME}\\AppData\\Roaming\\npm\\node_modules\\pipedai\\cli.js`;
const CLI_REAL = `${HOME}\\Tools & Co (x86)\\100% done\\cli.js`;
const PASSWORD = 'correct horse "battery" staple';
/** `whoami /groups /fo csv /nh` of an elevated administrator (trimmed). */
const ELEVATED = [
  '"Everyone","Well-known group","S-1-1-0","Mandatory group, Enabled by default, Enabled group"',
  '"BUILTIN\\Administrators","Alias","S-1-5-32-544","Mandatory group, Enabled by default, Enabled group, Group owner"',
  '"Mandatory Label\\High Mandatory Level","Label","S-1-16-12288",""',
].join('\r\n');
const NOT_ELEVATED = [
  '"Everyone","Well-known group","S-1-1-0","Mandatory group, Enabled by default, Enabled group"',
  '"BUILTIN\\Administrators","Alias","S-1-5-32-544","Group used for deny only"',
  '"Mandatory Label\\Medium Mandatory Level","Label","S-1-16-8192",""',
].join('\r\n');

function setup(
  opts: {
    env?: Record<string, string>;
    answer?: (line: string) => Partial<RunResult> | undefined;
    account?: string;
  } = {},
) {
  const fs = memoryFs({ [CLI_LINK]: CLI_REAL });
  const rec = recordingRunner(
    (line) => opts.answer?.(line) ?? (line.startsWith('whoami') ? { stdout: ELEVATED } : undefined),
  );
  const asked: string[] = [];
  const manager = serviceManagerFor({
    platform: 'win32',
    runner: rec.runner,
    fs,
    // Windows spells it `Path`; the lookup is case-insensitive there.
    env: opts.env ?? {
      Path: `C:\\Windows\\system32;C:\\Windows;${HOME}\\AppData\\Roaming\\npm;C:\\Program Files\\nodejs\\;relative\\dir`,
      USERNAME: 'First Last',
      USERDOMAIN: 'DESKTOP-1',
      SystemRoot: 'C:\\WINDOWS',
    },
    uid: -1,
    isRoot: false,
    homedir: HOME,
    nodePath: NODE,
    cliPath: CLI_LINK,
    ...(opts.account ? { serviceAccount: opts.account } : {}),
    servicePassword: async (account) => {
      asked.push(account);
      return PASSWORD;
    },
  });
  return { fs, rec, manager, asked };
}

const STATE = `${HOME}\\.pipedai`;
const RECORD = `${STATE}\\orchestrator\\nssm-service.txt`;
const LEGACY_SCRIPT = `${STATE}\\orchestrator\\install-service.bat`;

describe('NSSM install (elevated, as the installing user)', () => {
  it('locks the state folder to the user, then runs NSSM itself: exactly these commands', async () => {
    const { fs, rec, manager, asked } = setup();
    fs.files.set(LEGACY_SCRIPT, { data: 'nssm install …', mode: 0o644 });
    const report = await manager.install();
    const account = 'DESKTOP-1\\First Last';
    const set = (...a: string[]) => ['nssm', 'set', 'PipedAIOrchestrator', ...a];
    expect(rec.calls).toEqual([
      ['whoami', '/groups', '/fo', 'csv', '/nh'],
      // Only the user, SYSTEM and Administrators, nothing inherited; the user owns it all.
      [
        'icacls',
        STATE,
        '/inheritance:r',
        '/grant:r',
        `${account}:(OI)(CI)F`,
        '*S-1-5-18:(OI)(CI)F',
        '*S-1-5-32-544:(OI)(CI)F',
        '/Q',
      ],
      ['icacls', STATE, '/setowner', account, '/T', '/C', '/Q'],
      ['nssm', 'stop', 'PipedAIOrchestrator'],
      ['nssm', 'remove', 'PipedAIOrchestrator', 'confirm'],
      ['nssm', 'install', 'PipedAIOrchestrator', NODE],
      // The CLI's real path, quoted inside AppParameters (NSSM passes it to node as is).
      set('AppParameters', `"${CLI_REAL}" start`),
      set('AppDirectory', STATE),
      set(
        'AppEnvironmentExtra',
        // node's folder first, duplicates and relative entries dropped; PIPEDAI_HOME always;
        // an absolute ComSpec.
        `PATH=C:\\Program Files\\nodejs;C:\\Windows\\system32;C:\\Windows;${HOME}\\AppData\\Roaming\\npm`,
        `PIPEDAI_HOME=${STATE}`,
        'PIPEDAI_SERVICE_MANAGER=nssm',
        'ComSpec=C:\\WINDOWS\\System32\\cmd.exe',
      ),
      set('ObjectName', account, PASSWORD),
      set('Start', 'SERVICE_AUTO_START'),
      set('AppStdout', `${STATE}\\logs\\pipedai-orchestrator.out.log`),
      set('AppStderr', `${STATE}\\logs\\pipedai-orchestrator.err.log`),
      set('AppRotateFiles', '1'),
      set('AppRotateOnline', '1'),
      set('AppRotateBytes', '5242880'),
      set('AppExit', 'Default', 'Restart'),
      set('AppRestartDelay', '5000'),
      set('AppStopMethodConsole', '4294967295'), // no limit: each run finishes
      set('AppKillProcessTree', '0'), // a daemon restart leaves the workers running
      ['nssm', 'start', 'PipedAIOrchestrator'],
    ]);
    expect(asked).toEqual([account]);
    // No LocalSystem anywhere, and no script left for an administrator to run.
    expect(JSON.stringify(rec.calls)).not.toMatch(/LocalSystem|\.bat/);
    expect(fs.files.has(LEGACY_SCRIPT)).toBe(false);
    expect([...fs.files.keys()]).toEqual([RECORD]);
    for (const dir of [STATE, `${STATE}\\orchestrator`, `${STATE}\\logs`])
      expect(fs.dirs.get(dir), dir).toBe(0o700);

    // The report and the record show every command but never the password.
    expect(report).toMatchObject({
      kind: 'nssm',
      name: 'PipedAIOrchestrator',
      unitPath: RECORD,
      activated: true,
      logs: `${STATE}\\logs`,
    });
    expect(report.commands.map((c) => [c.cmd, ...c.args])).toEqual(
      rec.calls.map((c) => c.map((a) => (a === PASSWORD ? '********' : a))),
    );
    expect(JSON.stringify(report)).not.toContain('battery');
    const record = fs.files.get(RECORD)!;
    expect(record.mode).toBe(0o600);
    expect(record.data).not.toContain('battery');
    expect(record.data).toContain(
      'nssm set PipedAIOrchestrator ObjectName "DESKTOP-1\\First Last" ********\r\n',
    );
    // The desktop app reads it to tell whether the service runs this PIPEDAI_HOME.
    expect(record.data).toContain(`PIPEDAI_HOME=${STATE}`);
    expect(report.hints[0]).toContain("after that account's password changes");
  });

  it("from a desktop package's CLI, runs the app's .exe as Node on the CLI script (no .cmd, no node)", async () => {
    const app = `${HOME}\\AppData\\Local\\Programs\\PipedAI Orchestrator`;
    const cli = `${app}\\resources\\app.asar.unpacked\\dist\\cli.js`;
    const rec = recordingRunner((line) =>
      line.startsWith('whoami') ? { stdout: ELEVATED } : undefined,
    );
    await serviceManagerFor({
      platform: 'win32',
      runner: rec.runner,
      fs: memoryFs(),
      env: {
        Path: 'C:\\Windows\\system32',
        USERNAME: 'op',
        USERDOMAIN: 'D',
        SystemRoot: 'C:\\WINDOWS',
      },
      uid: -1,
      isRoot: false,
      homedir: HOME,
      nodePath: `${app}\\PipedAI Orchestrator.exe`,
      cliPath: cli,
      // A .cmd under NSSM would have cmd.exe answer the stop's Ctrl-C ("Terminate batch job?").
      launcher: `${app}\\resources\\bin\\pipedai-orchestrator.cmd`,
      nodeEnv: { ELECTRON_RUN_AS_NODE: '1' },
      servicePassword: async () => PASSWORD,
    }).install();
    const set = (...a: string[]) => ['nssm', 'set', 'PipedAIOrchestrator', ...a];
    expect(rec.calls).toContainEqual([
      'nssm',
      'install',
      'PipedAIOrchestrator',
      `${app}\\PipedAI Orchestrator.exe`,
    ]);
    expect(rec.calls).toContainEqual(set('AppParameters', `"${cli}" start`));
    const extra = rec.calls.find((c) => c[3] === 'AppEnvironmentExtra') ?? [];
    expect(extra).toContain('ELECTRON_RUN_AS_NODE=1');
  });

  it('uses PIPEDAI_HOME for state, ACL, logs and environment; runs as the account named', async () => {
    const { rec, manager, asked } = setup({
      env: {
        PATH: 'C:\\bin',
        PIPEDAI_HOME: 'D:\\Pipe Dai\\100%',
        PIPEDAI_WORKER_BIN: 'D:\\w\\pipedai-worker.cmd',
        PIPEDAI_DRAIN_CEILING_MS: '600000',
        USERNAME: 'someone',
      },
      account: '.\\pipedai',
    });
    const report = await manager.install();
    expect(report.unitPath).toBe('D:\\Pipe Dai\\100%\\orchestrator\\nssm-service.txt');
    const lines = rec.calls.map((c) => c.join(' '));
    expect(lines).toContain(
      'icacls D:\\Pipe Dai\\100% /inheritance:r /grant:r .\\pipedai:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F /Q',
    );
    expect(rec.calls).toContainEqual([
      'nssm',
      'set',
      'PipedAIOrchestrator',
      'AppEnvironmentExtra',
      'PATH=C:\\Program Files\\nodejs;C:\\bin',
      'PIPEDAI_HOME=D:\\Pipe Dai\\100%',
      'PIPEDAI_WORKER_BIN=D:\\w\\pipedai-worker.cmd',
      'PIPEDAI_DRAIN_CEILING_MS=600000',
      'PIPEDAI_SERVICE_MANAGER=nssm',
      // No SystemRoot in the environment: the default Windows folder.
      'ComSpec=C:\\Windows\\System32\\cmd.exe',
    ]);
    expect(lines).toContain(`nssm set PipedAIOrchestrator ObjectName .\\pipedai ${PASSWORD}`);
    // The operator's 10-minute ceiling, plus a minute for the daemon to exit.
    expect(lines).toContain('nssm set PipedAIOrchestrator AppStopMethodConsole 660000');
    expect(asked).toEqual(['.\\pipedai']);
  });

  it('refuses without an elevated prompt before asking anything or changing anything', async () => {
    for (const whoami of [{ stdout: NOT_ELEVATED }, { code: 1, stderr: 'whoami: not found' }]) {
      const { fs, rec, manager, asked } = setup({
        answer: (l) => (l.startsWith('whoami') ? whoami : undefined),
      });
      await expect(manager.install()).rejects.toThrow(
        'installing the Windows service needs an elevated prompt: open a terminal with "Run as administrator" and run `pipedai-orchestrator install` there (the service still runs as your account, not as an administrator)',
      );
      expect(rec.calls).toEqual([['whoami', '/groups', '/fo', 'csv', '/nh']]);
      expect(asked).toEqual([]);
      expect(fs.files.size + fs.dirs.size).toBe(0);
    }
  });

  it('stops at the first failed command, the password kept out of the error', async () => {
    const { manager } = setup({
      answer: (l) =>
        l.includes('ObjectName')
          ? { code: 1, stderr: `Error setting ObjectName with ${PASSWORD}: logon failure` }
          : l.startsWith('whoami')
            ? { stdout: ELEVATED }
            : undefined,
    });
    const e = (await manager.install().catch((x: unknown) => x)) as Error;
    expect(e.message).toContain(
      '`nssm set PipedAIOrchestrator ObjectName DESKTOP-1\\First Last ********` failed (exit 1)',
    );
    expect(e.message).not.toContain('battery');
  });

  it('refuses an account name Windows would not accept', () => {
    const env = parseInstallerEnv({ USERNAME: 'a', USERDOMAIN: 'D' }, 'win32');
    expect(serviceAccount(env)).toBe('D\\a');
    expect(serviceAccount(parseInstallerEnv({ USERNAME: 'a' }, 'win32'))).toBe('.\\a');
    for (const bad of ['noslash', 'D\\a"b', 'D\\a\nb', '\\a', 'D\\'])
      expect(() => serviceAccount(env, bad), bad).toThrow(/not a Windows account name/);
    expect(() => serviceAccount(parseInstallerEnv({}, 'win32'))).toThrow(/USERNAME is not set/);
    expect(isElevated(ELEVATED)).toBe(true);
    expect(isElevated(NOT_ELEVATED)).toBe(false);
  });
});

describe('NSSM uninstall and status', () => {
  it('uninstall: elevated, nssm stop + remove confirm, then the record and any old script go', async () => {
    const { fs, rec, manager } = setup({
      answer: (l) =>
        l.startsWith('nssm stop')
          ? { code: 1, stderr: 'PipedAIOrchestrator: STOP: The service has not been started.' }
          : l.startsWith('whoami')
            ? { stdout: ELEVATED }
            : undefined,
    });
    fs.files.set(RECORD, { data: 'x', mode: 0o600 });
    fs.files.set(LEGACY_SCRIPT, { data: 'x', mode: 0o644 });
    const report = await manager.uninstall();
    expect(rec.calls).toEqual([
      ['whoami', '/groups', '/fo', 'csv', '/nh'],
      ['nssm', 'stop', 'PipedAIOrchestrator'],
      ['nssm', 'remove', 'PipedAIOrchestrator', 'confirm'],
    ]);
    expect(report.removed).toBe(true);
    expect(fs.files.size).toBe(0);
    expect(report.errors).toEqual([
      '`nssm stop PipedAIOrchestrator` failed (exit 1): PipedAIOrchestrator: STOP: The service has not been started.',
    ]);
    const plain = setup({
      answer: (l) => (l.startsWith('whoami') ? { stdout: NOT_ELEVATED } : undefined),
    });
    await expect(plain.manager.uninstall()).rejects.toThrow(
      /removing the Windows service needs an elevated prompt.*`pipedai-orchestrator uninstall`/,
    );
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
