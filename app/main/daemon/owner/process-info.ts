// Facts about another process by pid: is it alive, and when did it start. The start time
// guards against pid reuse: a pid recorded earlier that now names a different process.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * True when a process with this pid exists (EPERM: it exists but belongs to someone else). A
 * zombie counts: see processLivenessFor for "alive and running".
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The OS's start time of `pid` as an opaque string, or null when unknown (no such process). */
export type ProcessStartTime = (pid: number) => Promise<string | null>;

export interface ProcessInfoDeps {
  readFile: (path: string) => Promise<string>;
  /** Runs a program (no shell) and resolves its stdout; rejects on a non-zero exit. */
  run: (file: string, args: readonly string[]) => Promise<string>;
}

const defaultDeps: ProcessInfoDeps = {
  readFile: (path) => readFile(path, 'utf8'),
  run: (file, args) =>
    new Promise((resolve, reject) => {
      execFile(
        file,
        [...args],
        { timeout: 10_000, windowsHide: true, env: { ...process.env, LC_ALL: 'C' } },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
    }),
};

export function processStartTimeFor(
  platform: NodeJS.Platform,
  deps: ProcessInfoDeps = defaultDeps,
): ProcessStartTime {
  const lookup =
    platform === 'linux' ? linuxStartTime : platform === 'win32' ? windowsStartTime : psStartTime;
  return async (pid) => (Number.isSafeInteger(pid) && pid > 0 ? lookup(pid, deps) : null);
}

export const processStartTime: ProcessStartTime = processStartTimeFor(process.platform);

/** Alive and not a zombie: an exited process nobody reaped (a container whose init does not reap) is gone. */
export type ProcessLiveness = (pid: number) => Promise<boolean>;

export function processLivenessFor(
  platform: NodeJS.Platform,
  deps: ProcessInfoDeps = defaultDeps,
): ProcessLiveness {
  return async (pid) => {
    if (!Number.isSafeInteger(pid) || pid <= 0) return false;
    if (platform === 'win32') return isProcessAlive(pid); // no zombies: an exited process is gone
    if (platform === 'linux') {
      const stat = await deps.readFile(`/proc/${pid}/stat`).catch(() => null);
      if (stat === null) return false;
      // Field 3 (state) is the one letter after the last ')' and a space.
      const at = stat.lastIndexOf(')') + 2;
      const state = stat.slice(at, at + 1);
      return state !== '' && state !== 'Z' && state !== 'X';
    }
    // macOS and the BSDs: the state letters of `ps` (Z: zombie); no output: no such process.
    const out = await deps.run('ps', ['-o', 'stat=', '-p', String(pid)]).catch(() => '');
    const state = out.trim();
    return state !== '' && !state.startsWith('Z');
  };
}

/** /proc/<pid>/stat field 22 (starttime, clock ticks since boot). */
async function linuxStartTime(pid: number, deps: ProcessInfoDeps): Promise<string | null> {
  let stat: string;
  try {
    stat = await deps.readFile(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  // Field 2 (comm) is parenthesised and may hold spaces or ')': fields resume after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTime = rest[22 - 3];
  return startTime && /^\d+$/.test(startTime) ? startTime : null;
}

/** macOS and the BSDs: `ps -o lstart= -p <pid>` (seconds resolution; LC_ALL=C for a stable format). */
async function psStartTime(pid: number, deps: ProcessInfoDeps): Promise<string | null> {
  try {
    const out = (await deps.run('ps', ['-o', 'lstart=', '-p', String(pid)])).trim();
    return out === '' ? null : out;
  } catch {
    return null; // ps exits 1 when no such process
  }
}

async function windowsStartTime(pid: number, deps: ProcessInfoDeps): Promise<string | null> {
  const script = `(Get-Process -Id ${pid} -ErrorAction Stop).StartTime.ToUniversalTime().ToString('o')`;
  try {
    const out = (
      await deps.run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script])
    ).trim();
    return out === '' ? null : out;
  } catch {
    return null;
  }
}
