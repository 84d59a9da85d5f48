import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  binLaunch,
  createKiller,
  escapeCmdCommand,
  resolveWorkerBin,
  runCommand,
  systemKillPrimitives,
  workerEnv,
  type KillPrimitives,
} from './spawn.ts';

/** What cmd.exe does to our line: one caret pass for the command line, one more for the shim's %*. */
const cmdUnescape = (s: string): string => s.replace(/\^(.)/g, '$1');

/** The MSVC runtime's argv split (what node.exe does with its command line). */
function msvcArgv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      let n = 0;
      while (line[i] === '\\') {
        n++;
        i++;
      }
      if (line[i] === '"') {
        cur += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) cur += '"';
        else {
          inQuotes = !inQuotes;
        }
      } else {
        cur += '\\'.repeat(n);
        i--;
      }
      started = true;
    } else if (c === '"') {
      inQuotes = !inQuotes;
      started = true;
    } else if ((c === ' ' || c === '\t') && !inQuotes) {
      if (started) out.push(cur);
      cur = '';
      started = false;
    } else {
      cur += c;
      started = true;
    }
  }
  if (started) out.push(cur);
  return out;
}

describe('worker binary and environment', () => {
  it('takes $PIPEDAI_WORKER_BIN, else pipedai-worker from PATH', () => {
    expect(resolveWorkerBin({})).toBe('pipedai-worker');
    expect(resolveWorkerBin({ PIPEDAI_WORKER_BIN: '   ' })).toBe('pipedai-worker');
    expect(resolveWorkerBin({ PIPEDAI_WORKER_BIN: ' /opt/w/bin/pipedai-worker ' })).toBe(
      '/opt/w/bin/pipedai-worker',
    );
  });

  it('passes the daemon environment plus the run flag and our two tags', () => {
    expect(workerEnv({ PATH: '/bin', ANTHROPIC_API_KEY: 'k' }, 'w1', 'inst')).toEqual({
      PATH: '/bin',
      ANTHROPIC_API_KEY: 'k',
      PIPEDAI_LOCAL_RUN_EVENTS: '1',
      PIPEDAI_ORCHESTRATOR_WORKER_ID: 'w1',
      PIPEDAI_ORCHESTRATOR_INSTANCE: 'inst',
    });
  });
});

describe('runCommand', () => {
  const managed = {
    command: '/Applications/PipedAI Orchestrator.app/Contents/MacOS/PipedAI Orchestrator',
    args: ['/Users/a b/.pipedai/runtime/worker/1.5.0/node_modules/@pipedai/worker/bin/w.js'],
    env: { ELECTRON_RUN_AS_NODE: '1' },
    direct: true,
  };
  it.each(['linux', 'darwin'] as const)(
    'runs the managed runtime on our own Node, in its own group (%s)',
    (platform) => {
      const cmd = runCommand({
        platform,
        launch: managed,
        configPath: '/h/w.json',
        env: { A: '1' },
        output: ['ignore', 11, 12],
      });
      expect(cmd.command).toBe(managed.command);
      expect(cmd.args).toEqual([managed.args[0], 'run', '--config', '/h/w.json']);
      expect(cmd.options).toMatchObject({
        detached: true,
        env: { A: '1', ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['ignore', 11, 12], // the capture files, as for any worker
      });
      expect(cmd.options.shell).toBeUndefined();
    },
  );
  it('runs the managed runtime without cmd.exe on Windows: no quoting to get wrong', () => {
    const launch = { ...managed, command: 'C:\\Program Files\\PipedAI\\PipedAI.exe' };
    const cmd = runCommand({
      platform: 'win32',
      launch,
      configPath: 'C:\\Users\\First Last\\w.json',
      env: {},
      output: ['ignore', 11, 12],
    });
    expect(cmd.command).toBe(launch.command);
    expect(cmd.args).toEqual([managed.args[0], 'run', '--config', 'C:\\Users\\First Last\\w.json']);
    expect(cmd.options).toMatchObject({ windowsHide: true, detached: false });
    expect(cmd.options.shell).toBeUndefined();
  });

  const env = { PATH: '/usr/bin' };

  it('POSIX: the binary with its argv, own process group, stdin ignored', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      expect(
        runCommand({
          platform,
          launch: binLaunch('pipedai-worker'),
          configPath: '/h/First Last/w.json',
          env,
          output: ['ignore', 11, 12],
        }),
      ).toEqual({
        command: 'pipedai-worker',
        args: ['run', '--config', '/h/First Last/w.json'],
        options: { env, stdio: ['ignore', 11, 12], detached: true },
      });
    }
  });

  it('Windows: one escaped line through the shell, hidden console, not detached', () => {
    const configPath = 'C:\\Users\\First Last\\.pipedai\\orchestrator\\workers\\my-worker.json';
    const cmd = runCommand({
      platform: 'win32',
      launch: binLaunch('pipedai-worker'),
      configPath,
      env,
      output: ['ignore', 11, 12],
    });
    expect(cmd).toEqual({
      command:
        'pipedai-worker ^^^"run^^^" ^^^"--config^^^" ' +
        '^^^"C:\\Users\\First^^^ Last\\.pipedai\\orchestrator\\workers\\my-worker.json^^^"',
      args: [],
      options: {
        env,
        stdio: ['ignore', 11, 12],
        shell: true,
        windowsHide: true,
        detached: false,
      },
    });
  });

  it('Windows: a binary path with spaces is escaped for cmd, not quoted', () => {
    const workerBin = 'C:\\Program Files\\nodejs\\pipedai-worker.cmd';
    const cmd = runCommand({
      platform: 'win32',
      launch: binLaunch(workerBin),
      configPath: 'C:\\w.json',
      env,
      output: ['ignore', 11, 12],
    });
    expect(
      cmd.command.startsWith('C:\\Program^ Files\\nodejs\\pipedai-worker.cmd ^^^"run^^^"'),
    ).toBe(true);
    expect(escapeCmdCommand(workerBin)).toBe('C:\\Program^ Files\\nodejs\\pipedai-worker.cmd');
  });

  it('every argument survives cmd.exe and the .cmd shim: spaces, quotes, metacharacters', () => {
    const configPaths = [
      'C:\\Users\\First Last\\.pipedai\\w.json',
      'C:\\dir with trailing slash\\',
      'C:\\say "hi" & calc.json',
      'C:\\%PATH% | more > out.json',
      'C:\\a\\\\"b (1)^!.json',
    ];
    for (const configPath of configPaths) {
      const { command } = runCommand({
        platform: 'win32',
        launch: binLaunch('pipedai-worker'),
        configPath,
        env,
        output: ['ignore', 11, 12],
      });
      const once = cmdUnescape(command);
      // Nothing cmd could act on is left unescaped for the shim's second pass.
      expect(once).not.toMatch(/(^|[^^])[&|<>]/);
      const [program, ...rest] = once.split(' ');
      expect(program).toBe('pipedai-worker');
      expect(msvcArgv(cmdUnescape(rest.join(' ')))).toEqual(['run', '--config', configPath]);
    }
  });
});

describe('createKiller', () => {
  function recorder(): { prim: KillPrimitives; calls: unknown[][] } {
    const calls: unknown[][] = [];
    return {
      calls,
      prim: {
        treeKill: async (pid, signal) => void calls.push(['treeKill', pid, signal]),
        signal: (pid, signal) => {
          calls.push(['signal', pid, signal]);
          if (pid === 13) throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
        },
        runFile: async (file, args) => void calls.push(['runFile', file, args]),
      },
    };
  }

  it('POSIX: SIGTERM to the worker alone; tree kill is tree-kill SIGKILL then the process group', async () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const { prim, calls } = recorder();
      const killer = createKiller(platform, prim);
      killer.terminate(42);
      await killer.killTree(42);
      killer.killGroup(42);
      expect(calls).toEqual([
        ['signal', 42, 'SIGTERM'],
        ['treeKill', 42, 'SIGKILL'],
        ['signal', -42, 'SIGKILL'],
        ['signal', -42, 'SIGKILL'],
      ]);
    }
  });

  it('POSIX: a process that is already gone is not an error', async () => {
    const { prim } = recorder();
    const killer = createKiller('linux', prim);
    expect(() => killer.terminate(13)).not.toThrow();
  });

  it('Windows: no signal, taskkill /pid <pid> /T /F for the tree', async () => {
    const { prim, calls } = recorder();
    const killer = createKiller('win32', prim);
    killer.terminate(4242);
    killer.killGroup(4242);
    await killer.killTree(4242);
    expect(calls).toEqual([['runFile', 'taskkill', ['/pid', '4242', '/T', '/F']]]);
  });
});

describe('systemKillPrimitives', () => {
  /** A pid above Linux's pid_max: never a process. */
  const NO_PID = 4_194_305;

  it('walks a tree only with its lister (ps; pgrep on macOS) on PATH, and says which is missing', async () => {
    for (const [platform, lister] of [
      ['linux', 'ps'],
      ['darwin', 'pgrep'],
    ] as const) {
      const prim = systemKillPrimitives(platform, { PATH: `:${join(tmpdir(), 'no-such-dir')}:` });
      await expect(prim.treeKill(NO_PID, 'SIGKILL')).rejects.toThrow(
        `tree-kill needs ${lister} on PATH`,
      );
    }
  });

  it("tree-kill: a pid already gone is done; tree-kill's own failure reaches the caller", async () => {
    const prim = systemKillPrimitives('linux', process.env);
    await expect(prim.treeKill(NO_PID, 'SIGKILL')).resolves.toBeUndefined();
    await expect(prim.treeKill(NO_PID, 'SIGNOPE' as NodeJS.Signals)).rejects.toThrow(/SIGNOPE/);
  });

  it('signals by pid, and runs a program to its end, failing when it fails', async () => {
    const prim = systemKillPrimitives('linux', process.env);
    expect(() => prim.signal(NO_PID, 'SIGTERM')).toThrow(/ESRCH/);
    await expect(prim.runFile('sh', ['-c', 'exit 0'])).resolves.toBeUndefined();
    await expect(prim.runFile('sh', ['-c', 'exit 3'])).rejects.toThrow();
  });
});
