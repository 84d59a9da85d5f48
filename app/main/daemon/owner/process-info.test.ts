import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import {
  isProcessAlive,
  processLivenessFor,
  processStartTime,
  processStartTimeFor,
} from './process-info.ts';
import type { ProcessInfoDeps } from './process-info.ts';

/** Deps that record what would have been run and answer with canned output. */
function fake(answer: {
  file?: string;
  stdout?: string;
  fail?: boolean;
}): ProcessInfoDeps & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    readFile: async (path) => {
      calls.push(`read ${path}`);
      if (answer.fail || answer.file === undefined)
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return answer.file;
    },
    run: async (file, args) => {
      calls.push([file, ...args].join(' | '));
      if (answer.fail) throw new Error('exit 1');
      return answer.stdout ?? '';
    },
  };
}

describe('processStartTimeFor', () => {
  it('linux: reads field 22 of /proc/<pid>/stat, even when the command name holds spaces and parentheses', async () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // field n holds "n"
    const deps = fake({ file: `1234 (my (odd) name) ${['S', ...fields.slice(1)].join(' ')}\n` });
    expect(await processStartTimeFor('linux', deps)(1234)).toBe('22');
    expect(deps.calls).toEqual(['read /proc/1234/stat']);
  });

  it('linux: null when field 22 is missing or not a number', async () => {
    const stat = (start: string) =>
      `7 (x) S ${Array.from({ length: 18 }, (_, i) => String(i + 4)).join(' ')} ${start} 23\n`;
    expect(await processStartTimeFor('linux', fake({ file: stat('8123') }))(7)).toBe('8123');
    for (const bad of ['12x', 'x12', 'abc'])
      expect(await processStartTimeFor('linux', fake({ file: stat(bad) }))(7), bad).toBeNull();
    expect(await processStartTimeFor('linux', fake({ file: '7 (x) S 4 5' }))(7)).toBeNull();
  });

  it('linux: null when the process is gone', async () => {
    expect(await processStartTimeFor('linux', fake({ fail: true }))(1234)).toBeNull();
  });

  it('macOS: runs ps -o lstart= -p <pid>', async () => {
    const deps = fake({ stdout: 'Mon Jan  6 10:00:00 2025\n' });
    expect(await processStartTimeFor('darwin', deps)(42)).toBe('Mon Jan  6 10:00:00 2025');
    expect(deps.calls).toEqual(['ps | -o | lstart= | -p | 42']);
    expect(await processStartTimeFor('darwin', fake({ fail: true }))(42)).toBeNull();
    expect(await processStartTimeFor('darwin', fake({ stdout: '\n' }))(42)).toBeNull();
  });

  it("windows: asks PowerShell for the process's start time in UTC", async () => {
    const deps = fake({ stdout: '2025-01-06T10:00:00.1234567Z\r\n' });
    expect(await processStartTimeFor('win32', deps)(42)).toBe('2025-01-06T10:00:00.1234567Z');
    expect(deps.calls).toEqual([
      "powershell.exe | -NoProfile | -NonInteractive | -Command | (Get-Process -Id 42 -ErrorAction Stop).StartTime.ToUniversalTime().ToString('o')",
    ]);
    expect(await processStartTimeFor('win32', fake({ fail: true }))(42)).toBeNull();
    expect(await processStartTimeFor('win32', fake({ stdout: '\r\n' }))(42)).toBeNull();
  });

  it('asks nothing for a pid that is not a positive integer', async () => {
    const deps = fake({ stdout: 'x' });
    for (const pid of [0, -1, 1.5, Number.NaN])
      expect(await processStartTimeFor('win32', deps)(pid)).toBeNull();
    expect(deps.calls).toEqual([]);
  });

  it('on this machine: stable for a process, different for another, null once it is gone', async () => {
    const mine = await processStartTime(process.pid);
    expect(mine).not.toBeNull();
    expect(await processStartTime(process.pid)).toBe(mine);
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.on('exit', r));
    const pid = child.pid ?? 0;
    expect(isProcessAlive(pid)).toBe(true);
    const childStart = await processStartTime(pid);
    expect(childStart).not.toBeNull();
    expect(childStart).not.toBe(mine);
    child.kill('SIGKILL');
    await exited;
    expect(isProcessAlive(pid)).toBe(false);
    expect(await processStartTime(pid)).toBeNull();
  });
});

describe('isProcessAlive', () => {
  it('a process that exists but is not ours to signal (EPERM) is alive; ESRCH is gone', () => {
    const kill = vi.spyOn(process, 'kill');
    try {
      kill.mockImplementation(() => {
        throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
      });
      expect(isProcessAlive(1)).toBe(true);
      kill.mockImplementation(() => {
        throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
      });
      expect(isProcessAlive(1)).toBe(false);
    } finally {
      kill.mockRestore();
    }
  });
});

describe('processLivenessFor', () => {
  it('linux: the state of /proc/<pid>/stat; a zombie (Z) or a dead one (X) is not alive', async () => {
    const stat = (state: string) => `99 (a (b) c) ${state} 1 2 3\n`;
    expect(await processLivenessFor('linux', fake({ file: stat('S') }))(99)).toBe(true);
    expect(await processLivenessFor('linux', fake({ file: stat('R') }))(99)).toBe(true);
    expect(await processLivenessFor('linux', fake({ file: stat('Z') }))(99)).toBe(false);
    expect(await processLivenessFor('linux', fake({ file: stat('X') }))(99)).toBe(false);
    expect(await processLivenessFor('linux', fake({ fail: true }))(99)).toBe(false);
    // A stat cut short before its state field names no live process.
    expect(await processLivenessFor('linux', fake({ file: '99 (a (b) c)' }))(99)).toBe(false);
  });

  it('macOS: `ps -o stat= -p <pid>`; Z is a zombie; no output is no process', async () => {
    const deps = fake({ stdout: 'Ss\n' });
    expect(await processLivenessFor('darwin', deps)(42)).toBe(true);
    expect(deps.calls).toEqual(['ps | -o | stat= | -p | 42']);
    expect(await processLivenessFor('darwin', fake({ stdout: 'Z+\n' }))(42)).toBe(false);
    expect(await processLivenessFor('darwin', fake({ fail: true }))(42)).toBe(false);
    expect(await processLivenessFor('darwin', fake({ stdout: '\n' }))(42)).toBe(false);
  });

  it('macOS and the BSDs: the real `ps` says this process lives and a reaped one does not', async () => {
    // Linux's procps answers the same options, so the default runner is exercised here too.
    expect(await processLivenessFor('darwin')(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const pid = child.pid ?? 0;
    await new Promise((r) => child.on('exit', r));
    expect(await processLivenessFor('darwin')(pid)).toBe(false);
    const started = await processStartTimeFor('darwin')(process.pid);
    expect(started).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    expect(await processStartTimeFor('darwin')(pid)).toBeNull();
  });

  it('windows: the pid exists (there are no zombies); nothing asked for a bad pid', async () => {
    expect(await processLivenessFor('win32', fake({}))(process.pid)).toBe(true);
    const deps = fake({});
    for (const pid of [0, -1, 1.5])
      expect(await processLivenessFor('linux', deps)(pid)).toBe(false);
    expect(deps.calls).toEqual([]);
  });
});
