// What the OS says about a pid: alive (a zombie is not), start time, environment, command line.
// Used to prove a recorded child is still the same process and to watch adopted ones.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { processLivenessFor, processStartTimeFor } from '../owner/process-info.ts';

export interface ProcessProbe {
  /** The pid exists and is not a zombie. */
  isAlive(pid: number): Promise<boolean>;
  /** The start time as the OS reports it (compared with a recorded one to detect pid reuse). */
  startTime(pid: number): Promise<string | null>;
  /** The environment the process was started with, or null where it cannot be read. */
  environ(pid: number): Promise<string[] | null>;
  /** The command line, space-joined, or null where it cannot be read. */
  commandLine(pid: number): Promise<string | null>;
  /**
   * Every live process that leads its own process group (as our detached workers do), with its
   * environment and argv: how a restarted daemon finds children it spawned but never recorded.
   * Linux only; absent where environments cannot be listed.
   */
  groupLeaders?(): Promise<GroupLeader[]>;
}

export interface GroupLeader {
  pid: number;
  environ: string[];
  argv: string[];
}

const PS_TIMEOUT_MS = 5_000;

/** Linux: the fields of /proc/<pid>/stat after the parenthesised name (which may hold spaces). */
async function procStat(pid: number): Promise<string[] | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Linux: the state letter of /proc/<pid>/stat. */
export async function procState(pid: number): Promise<string | null> {
  return (await procStat(pid))?.[0] || null;
}

/** Linux: live group leaders (stat: state is field 3, the process group field 5). */
async function procGroupLeaders(): Promise<GroupLeader[]> {
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
  const found = await Promise.all(
    pids.map(async (pid): Promise<GroupLeader | null> => {
      const stat = await procStat(pid);
      if (!stat || stat[0] === 'Z' || stat[0] === 'X' || Number(stat[2]) !== pid) return null;
      const [environ, argv] = await Promise.all([
        procList(pid, 'environ'),
        procList(pid, 'cmdline'),
      ]);
      return environ && argv ? { pid, environ, argv } : null; // another user's: unreadable
    }),
  );
  return found.filter((l) => l !== null);
}

async function procList(pid: number, file: 'environ' | 'cmdline'): Promise<string[] | null> {
  const raw = await readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => null);
  return raw === null ? null : raw.split('\0').filter((s) => s !== '');
}

function psCommand(pid: number): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'command=', '-p', String(pid)], { timeout: PS_TIMEOUT_MS }, (err, out) =>
      resolve(err ? null : out.trim() || null),
    );
  });
}

export function systemProcessProbe(platform: NodeJS.Platform = process.platform): ProcessProbe {
  const startTime = processStartTimeFor(platform);
  if (platform === 'linux') {
    return {
      async isAlive(pid) {
        const state = await procState(pid);
        return state !== null && state !== 'Z' && state !== 'X';
      },
      startTime,
      environ: (pid) => procList(pid, 'environ'),
      commandLine: async (pid) => (await procList(pid, 'cmdline'))?.join(' ') ?? null,
      groupLeaders: procGroupLeaders,
    };
  }
  return {
    isAlive: processLivenessFor(platform), // a zombie (ps state Z) is not alive
    startTime,
    environ: async () => null,
    commandLine: platform === 'win32' ? async () => null : psCommand,
  };
}
