import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceManagerFor } from './index.ts';
import { loadTemplate } from './render.ts';
import { buildUnitSpec, parseInstallerEnv } from './spec.ts';
import { lingerEnabled, renderSystemdUnit } from './systemd.ts';
import { memoryFs, recordingRunner } from './test-support.ts';
import { ServiceCommandError, type RunResult, type ServiceOptions } from './types.ts';

const NODE = '/home/op/.nvm/versions/node/v22.12.0/bin/node';
const CLI_LINK = '/home/op/.nvm/versions/node/v22.12.0/bin/pipedai-orchestrator';
const CLI_REAL = '/home/op/My Apps/100% $pipe&dai/dist/cli.js';

function setup(opts: {
  isRoot: boolean;
  env?: Record<string, string>;
  answer?: (line: string) => Partial<RunResult> | undefined;
}) {
  const fs = memoryFs({ [CLI_LINK]: CLI_REAL });
  const rec = recordingRunner(opts.answer);
  const options: ServiceOptions = {
    platform: 'linux',
    runner: rec.runner,
    fs,
    env: opts.env ?? { PATH: '/usr/bin:/bin:/usr/local/bin', USER: 'op' },
    uid: opts.isRoot ? 0 : 1000,
    isRoot: opts.isRoot,
    homedir: opts.isRoot ? '/root' : '/home/op',
    nodePath: NODE,
    cliPath: CLI_LINK,
  };
  return { fs, rec, manager: serviceManagerFor(options) };
}

const unitTail = (timeoutStopSec = 'infinity') => [
  '# Signals go to the daemon alone, never to its workers: a crash or restart of the daemon leaves',
  '# every worker running its run, and the restarted daemon adopts them (it proves each recorded',
  "# process is ours, so none runs twice). `systemctl stop` still drains them: the daemon's SIGTERM",
  '# handling lets each finish its run, then stops it. (mixed would SIGKILL the workers when the',
  '# daemon crashes; control-group would SIGTERM them on every restart.)',
  'KillMode=process',
  'KillSignal=SIGTERM',
  '# The drain waits for the runs however long; only PIPEDAI_DRAIN_CEILING_MS (set when installing)',
  '# bounds it, and then this is that ceiling plus a minute.',
  `TimeoutStopSec=${timeoutStopSec}`,
  '# Also after a clean exit: a self-upgrade exits 0 so that the new version starts.',
  'Restart=always',
  'RestartSec=5',
  'StandardOutput=journal',
  'StandardError=journal',
  '',
  '[Install]',
];
const UNIT_HEAD = [
  '# Written by `pipedai-orchestrator install`; a new install overwrites it.',
  '[Unit]',
  "Description=PipedAI orchestrator (supervises this host's PipedAI workers)",
  'After=network-online.target',
  'Wants=network-online.target',
  '',
  '[Service]',
  'Type=simple',
];

describe('systemd user unit (not root)', () => {
  it('writes the unit under ~/.config/systemd/user with quoted paths and the carried environment', async () => {
    const { fs, rec, manager } = setup({
      isRoot: false,
      env: {
        PATH: '/usr/bin:/bin:/usr/local/bin',
        USER: 'op',
        PIPEDAI_HOME: '/home/op/state dir/100% $x & "y"',
        PIPEDAI_WORKER_BIN: '/opt/worker/bin/pipedai-worker',
      },
      answer: (line) => (line.startsWith('loginctl') ? { stdout: 'Linger=yes\n' } : undefined),
    });
    const report = await manager.install();
    const unitPath = '/home/op/.config/systemd/user/pipedai-orchestrator.service';
    expect(report).toMatchObject({
      kind: 'systemd',
      name: 'pipedai-orchestrator',
      unitPath,
      activated: true,
      hints: [],
    });
    expect(fs.files.get(unitPath)?.mode).toBe(0o644);
    expect(fs.dirs.get('/home/op/.config/systemd/user')).toBe(0o700);
    expect(fs.files.get(unitPath)?.data).toBe(
      [
        ...UNIT_HEAD,
        'ExecStart="/home/op/.nvm/versions/node/v22.12.0/bin/node" "/home/op/My Apps/100%% $$pipe&dai/dist/cli.js" "start"',
        'Environment="PATH=/home/op/.nvm/versions/node/v22.12.0/bin:/home/op/.local/bin:/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin"',
        'Environment="PIPEDAI_HOME=/home/op/state dir/100%% $x & \\"y\\""',
        'Environment="PIPEDAI_WORKER_BIN=/opt/worker/bin/pipedai-worker"',
        'Environment="PIPEDAI_SERVICE_MANAGER=systemd-user"',
        ...unitTail(),
        'WantedBy=default.target',
        '',
      ].join('\n'),
    );
    expect(rec.calls).toEqual([
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'enable', '--now', 'pipedai-orchestrator'],
      ['loginctl', 'show-user', 'op', '-p', 'Linger'],
    ]);
    expect(report.commands.map((c) => c.code)).toEqual([0, 0, 0]);
    expect(report.logs).toBe('journalctl --user -u pipedai-orchestrator');
  });

  it("from a desktop package's CLI, runs its launcher (realpath), never a system node", async () => {
    const app = '/opt/PipedAI Orchestrator';
    const fs = memoryFs({
      '/usr/bin/pipedai-orchestrator': `${app}/resources/bin/pipedai-orchestrator`,
    });
    const manager = serviceManagerFor({
      platform: 'linux',
      runner: recordingRunner().runner,
      fs,
      env: { PATH: '/usr/bin:/bin', USER: 'op' },
      uid: 1000,
      isRoot: false,
      homedir: '/home/op',
      nodePath: `${app}/pipedai-orchestrator`,
      cliPath: `${app}/resources/app.asar.unpacked/dist/cli.js`,
      launcher: '/usr/bin/pipedai-orchestrator',
      nodeEnv: { ELECTRON_RUN_AS_NODE: '1' },
    });
    await manager.install();
    const unit = fs.files.get('/home/op/.config/systemd/user/pipedai-orchestrator.service')?.data;
    expect(unit).toContain(
      '\nExecStart="/opt/PipedAI Orchestrator/resources/bin/pipedai-orchestrator" "start"\n',
    );
    // The launcher sets ELECTRON_RUN_AS_NODE itself, for itself alone.
    expect(unit).not.toContain('ELECTRON_RUN_AS_NODE');
  });

  it('honours an absolute XDG_CONFIG_HOME and ignores a relative one', () => {
    const abs = setup({
      isRoot: false,
      env: { XDG_CONFIG_HOME: '/home/op/cfg' },
    }).manager.describe();
    expect(abs.unitPath).toBe('/home/op/cfg/systemd/user/pipedai-orchestrator.service');
    const rel = setup({ isRoot: false, env: { XDG_CONFIG_HOME: 'cfg' } }).manager.describe();
    expect(rel.unitPath).toBe('/home/op/.config/systemd/user/pipedai-orchestrator.service');
  });

  it('hints at lingering only when loginctl does not say Linger=yes', async () => {
    const no = setup({
      isRoot: false,
      answer: (l) => (l.startsWith('loginctl') ? { stdout: 'Linger=no\n' } : undefined),
    });
    expect((await no.manager.install()).hints).toEqual([
      'Run `loginctl enable-linger op` (with sudo if asked) so the service runs without a login session and starts at boot.',
    ]);
    // loginctl failing (user never logged in, no logind) counts as not lingering.
    const failed = setup({
      isRoot: false,
      env: { PATH: '/usr/bin' },
      answer: (l) =>
        l.startsWith('loginctl')
          ? { code: 1, stderr: 'Failed to get user: User ID 1000 is not logged in or lingering' }
          : undefined,
    });
    const report = await failed.manager.install();
    expect(failed.rec.calls.at(-1)).toEqual(['loginctl', 'show-user', '1000', '-p', 'Linger']);
    expect(report.hints[0]).toContain('`loginctl enable-linger 1000`');
    expect(lingerEnabled('UID=1000\nLinger=yes\n')).toBe(true);
    expect(lingerEnabled('Linger=yesterday')).toBe(false);
  });

  it('stops at the first failing command with its stderr', async () => {
    const { rec, manager } = setup({
      isRoot: false,
      answer: (l) =>
        l.endsWith('daemon-reload')
          ? { code: 1, stderr: 'Failed to connect to bus: No medium found\n' }
          : undefined,
    });
    const err = await manager.install().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ServiceCommandError);
    expect((err as Error).message).toBe(
      '`systemctl --user daemon-reload` failed (exit 1): Failed to connect to bus: No medium found',
    );
    expect(rec.calls).toEqual([['systemctl', '--user', 'daemon-reload']]);
  });

  it('uninstall: disable --now, delete, daemon-reload; failures reported, not fatal', async () => {
    const { fs, rec, manager } = setup({
      isRoot: false,
      answer: (l) =>
        l.includes('disable')
          ? { code: 1, stderr: 'Unit file pipedai-orchestrator.service does not exist.' }
          : undefined,
    });
    const unitPath = '/home/op/.config/systemd/user/pipedai-orchestrator.service';
    fs.files.set(unitPath, { data: 'x', mode: 0o644 });
    const report = await manager.uninstall();
    expect(rec.calls).toEqual([
      ['systemctl', '--user', 'disable', '--now', '--no-block', 'pipedai-orchestrator'],
      ['systemctl', '--user', 'daemon-reload'],
    ]);
    expect(report.removed).toBe(true);
    expect(fs.files.has(unitPath)).toBe(false);
    expect(report.errors).toEqual([
      '`systemctl --user disable --now --no-block pipedai-orchestrator` failed (exit 1): Unit file pipedai-orchestrator.service does not exist.',
    ]);
    expect((await manager.uninstall()).removed).toBe(false);
  });

  it('status: running only when is-active says active; installed from is-enabled', async () => {
    const cases: Array<
      [Record<string, Partial<RunResult>>, { installed: boolean; running: boolean; detail: string }]
    > = [
      [
        { 'is-active': { stdout: 'active\n' }, 'is-enabled': { stdout: 'enabled\n' } },
        { installed: true, running: true, detail: 'pipedai-orchestrator: active, enabled' },
      ],
      [
        { 'is-active': { code: 3, stdout: 'failed\n' }, 'is-enabled': { stdout: 'enabled\n' } },
        { installed: true, running: false, detail: 'pipedai-orchestrator: failed, enabled' },
      ],
      [
        {
          'is-active': { code: 3, stdout: 'inactive\n' },
          'is-enabled': { code: 1, stdout: 'disabled\n' },
        },
        { installed: false, running: false, detail: 'pipedai-orchestrator: inactive, disabled' },
      ],
      [
        {
          'is-active': { code: 3, stdout: 'inactive\n' },
          'is-enabled': {
            code: 1,
            stderr:
              'Failed to get unit file state for pipedai-orchestrator.service: No such file or directory',
          },
        },
        {
          installed: false,
          running: false,
          detail: 'pipedai-orchestrator: inactive, not installed',
        },
      ],
    ];
    const userProbe = [
      ['systemctl', '--user', 'is-active', 'pipedai-orchestrator'],
      ['systemctl', '--user', 'is-enabled', 'pipedai-orchestrator'],
    ];
    const systemProbe = [
      ['systemctl', 'is-active', 'pipedai-orchestrator'],
      ['systemctl', 'is-enabled', 'pipedai-orchestrator'],
    ];
    for (const [answers, expected] of cases) {
      const { rec, manager } = setup({
        isRoot: false,
        // No system unit either.
        answer: (l) =>
          l.includes('--user') ? answers[l.split(' ')[2] ?? ''] : { code: 1, stdout: 'disabled\n' },
      });
      expect(await manager.status()).toEqual(expected);
      expect(rec.calls).toEqual(expected.installed ? userProbe : [...userProbe, ...systemProbe]);
    }
  });

  it('status: a user without a user unit finds the system unit sudo installed', async () => {
    const { rec, manager } = setup({
      isRoot: false,
      answer: (l) =>
        l.includes('--user')
          ? { code: 1, stdout: 'disabled\n' }
          : { stdout: l.includes('is-active') ? 'active\n' : 'enabled\n' },
    });
    expect(await manager.status()).toEqual({
      installed: true,
      running: true,
      detail: 'pipedai-orchestrator (system unit): active, enabled',
    });
    expect(rec.calls).toHaveLength(4);
  });
});

describe('systemd system unit (root)', () => {
  const rootPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

  it('through sudo: runs as SUDO_USER with that user’s home in PATH; a drain ceiling bounds the stop; the log format is baked', async () => {
    const { fs, rec, manager } = setup({
      isRoot: true,
      env: {
        PATH: rootPath,
        SUDO_USER: 'alice',
        USER: 'root',
        PIPEDAI_DRAIN_CEILING_MS: '7200000',
        // `install --log-format json`: the unit's `start` logs JSON for journald.
        PIPEDAI_LOG_FORMAT: 'json',
      },
      answer: (l) =>
        l.startsWith('getent')
          ? { stdout: 'alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n' }
          : undefined,
    });
    const report = await manager.install();
    expect(report.unitPath).toBe('/etc/systemd/system/pipedai-orchestrator.service');
    expect(fs.files.get(report.unitPath)?.data).toBe(
      [
        ...UNIT_HEAD,
        'User=alice',
        'ExecStart="/home/op/.nvm/versions/node/v22.12.0/bin/node" "/home/op/My Apps/100%% $$pipe&dai/dist/cli.js" "start"',
        'Environment="PATH=/home/op/.nvm/versions/node/v22.12.0/bin:/home/alice/.local/bin:/opt/homebrew/bin:/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"',
        // Pinned to alice's state folder: never root's, nor whatever HOME the service gets.
        'Environment="PIPEDAI_HOME=/home/alice/.pipedai"',
        'Environment="PIPEDAI_DRAIN_CEILING_MS=7200000"',
        'Environment="PIPEDAI_LOG_FORMAT=json"',
        'Environment="PIPEDAI_SERVICE_MANAGER=systemd-system"',
        ...unitTail('7260s'), // two hours, plus a minute for the daemon to exit
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    );
    expect(rec.calls).toEqual([
      ['getent', 'passwd', 'alice'],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'pipedai-orchestrator'],
    ]);
    expect(report.hints).toEqual([]);
    expect(report.logs).toBe('journalctl -u pipedai-orchestrator');
  });

  it('as root without sudo: User=root, no lookup', async () => {
    const { fs, rec, manager } = setup({ isRoot: true, env: { PATH: rootPath } });
    const report = await manager.install();
    const unit = fs.files.get(report.unitPath)?.data ?? '';
    expect(unit).toContain('\nUser=root\n');
    expect(unit).toContain(
      'Environment="PATH=/home/op/.nvm/versions/node/v22.12.0/bin:/root/.local/bin:',
    );
    expect(rec.calls).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'pipedai-orchestrator'],
    ]);
  });

  it('refuses a SUDO_USER that is not a user name, and reports a failed lookup', async () => {
    expect(() =>
      setup({ isRoot: true, env: { SUDO_USER: 'bob\nExecStartPre=/bin/evil' } }),
    ).toThrow(/installer environment: SUDO_USER: not a valid user name/);
    const { rec, manager } = setup({
      isRoot: true,
      env: { SUDO_USER: 'ghost' },
      answer: () => ({ code: 2 }),
    });
    await expect(manager.install()).rejects.toThrow('`getent passwd ghost` failed (exit 2)');
    expect(rec.calls).toEqual([['getent', 'passwd', 'ghost']]);
  });

  it('uninstall and status use the system manager', async () => {
    const { rec, manager } = setup({ isRoot: true });
    await manager.uninstall();
    await manager.status();
    expect(rec.calls).toEqual([
      ['systemctl', 'disable', '--now', '--no-block', 'pipedai-orchestrator'],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'is-active', 'pipedai-orchestrator'],
      ['systemctl', 'is-enabled', 'pipedai-orchestrator'],
    ]);
  });
});

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const analyzeMissing =
  analyze.error || analyze.status !== 0 ? 'systemd-analyze is not on PATH' : undefined;
if (analyzeMissing) console.log(`skipping systemd-analyze verify: ${analyzeMissing}`);

describe.skipIf(analyzeMissing !== undefined)('systemd-analyze verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipedai-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts rendered units whose paths hold spaces, quotes, backslashes, %, $ and &', async () => {
    // verify checks that ExecStart's program exists: use this node, or a launcher made here.
    const cli = join(dir, 'My Apps 100% $x & "q \\ cli.js');
    writeFileSync(cli, '');
    // A program path may not hold $ or % (systemd refuses it): the package's own, with a space.
    const launcher = join(dir, 'PipedAI Orchestrator', 'pipedai-orchestrator');
    mkdirSync(dirname(launcher));
    writeFileSync(launcher, '#!/bin/sh\n', { mode: 0o755 });
    const fs = memoryFs();
    const env = parseInstallerEnv(
      { PATH: '/usr/bin:/bin', PIPEDAI_HOME: `${dir}/state 100% $HOME & q" \\` },
      'linux',
    );
    const specFor = (bundled: boolean) =>
      buildUnitSpec({
        platform: 'linux',
        env,
        fs,
        nodePath: process.execPath,
        cliPath: cli,
        ...(bundled ? { launcher } : {}),
        serviceHome: dir,
        stateHome: `${dir}/state 100% $HOME & q" \\`,
        manager: 'systemd-user',
      });
    const template = await loadTemplate('systemd.service');
    for (const variant of [
      { user: 'alice', wantedBy: 'multi-user.target' as const, spec: await specFor(false) },
      { user: undefined, wantedBy: 'default.target' as const, spec: await specFor(false) },
      { user: undefined, wantedBy: 'default.target' as const, spec: await specFor(true) },
    ]) {
      const unitPath = join(dir, 'pipedai-orchestrator.service');
      writeFileSync(unitPath, renderSystemdUnit(template, variant));
      const r = spawnSync('systemd-analyze', ['verify', unitPath], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      // Warnings about our file are prefixed with its path; other units' noise is not ours.
      const ours = `${r.stdout}\n${r.stderr}`
        .split('\n')
        .filter((l) => l.includes('pipedai-orchestrator.service'));
      expect(ours, variant.wantedBy).toEqual([]);
      expect(r.status, r.stderr).toBe(0);
    }
  });
});
