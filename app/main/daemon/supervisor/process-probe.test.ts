// What the OS says about a pid, read for this very test process (Linux /proc, and ps as macOS
// reads it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { systemProcessProbe } from './process-probe.ts';

/** A pid above Linux's pid_max: never a process. */
const NO_PID = 4_194_305;
const argv = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter(Boolean);

describe('systemProcessProbe', () => {
  it('Linux: the command line from /proc, space-joined; null for no process', async () => {
    const probe = systemProcessProbe('linux');
    await expect(probe.commandLine(process.pid)).resolves.toBe(argv.join(' '));
    await expect(probe.commandLine(NO_PID)).resolves.toBeNull();
    await expect(probe.isAlive(process.pid)).resolves.toBe(true);
    await expect(probe.isAlive(NO_PID)).resolves.toBe(false);
    expect(await probe.environ(process.pid)).toContain(`PATH=${process.env.PATH}`);
  });

  it('elsewhere (POSIX): the command line from ps, trimmed; null for no process', async () => {
    const probe = systemProcessProbe('darwin');
    await expect(probe.commandLine(process.pid)).resolves.toBe(argv.join(' '));
    await expect(probe.commandLine(NO_PID)).resolves.toBeNull();
    await expect(probe.environ(process.pid)).resolves.toBeNull();
    expect(probe.groupLeaders).toBeUndefined();
  });

  it('Windows: no command line or environment to read', async () => {
    const probe = systemProcessProbe('win32');
    await expect(probe.commandLine(process.pid)).resolves.toBeNull();
    await expect(probe.environ(process.pid)).resolves.toBeNull();
  });
});
