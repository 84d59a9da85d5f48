// Linux /proc readers for the fault suite: which `run --config <path>` processes live (zombies do
// not count), a process's CPU time, and the cleanup of every process a test started.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** Every process a fault test starts (daemon, workers, grandchildren) inherits this variable. */
export const FAULT_MARKER = 'PIPEDAI_FAULT_TEST';

const clockTicks = ((): number => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

async function allPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
}

/** The fields of /proc/<pid>/stat after the parenthesised name (which may hold spaces). */
async function statFields(pid: number): Promise<string[] | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Alive and not a zombie (a killed child stays a zombie until its parent reaps it). */
export async function isLive(pid: number): Promise<boolean> {
  const state = (await statFields(pid))?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** CPU seconds (user + system) the process itself has used so far; null once it is gone. */
export async function cpuSeconds(pid: number): Promise<number | null> {
  const f = await statFields(pid);
  if (f === null) return null;
  // utime and stime are fields 14 and 15 of stat; f[0] is field 3.
  return (Number(f[11]) + Number(f[12])) / clockTicks;
}

async function argvOf(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
}

/** Live `… run --config <path>` processes, by config path. */
export async function runProcessesByConfig(): Promise<Map<string, number[]>> {
  const found = new Map<string, number[]>();
  await Promise.all(
    (await allPids()).map(async (pid) => {
      const argv = await argvOf(pid);
      const i = argv.findIndex((a, k) => a === 'run' && argv[k + 1] === '--config');
      const config = i >= 0 ? argv[i + 2] : undefined;
      if (config === undefined || !(await isLive(pid))) return;
      found.set(config, [...(found.get(config) ?? []), pid]);
    }),
  );
  return found;
}

/** Live processes whose environment carries FAULT_MARKER=<tag>. */
export async function markedProcesses(tag: string): Promise<number[]> {
  const needle = `${FAULT_MARKER}=${tag}`;
  const pids = await allPids();
  const hits = await Promise.all(
    pids.map(async (pid) => {
      if (pid === process.pid) return false;
      const env = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
      return env.split('\0').includes(needle) && (await isLive(pid));
    }),
  );
  return pids.filter((_, i) => hits[i]);
}

/** SIGKILL every live process marked with `tag`. */
export async function killMarked(tag: string): Promise<void> {
  for (const pid of await markedProcesses(tag)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
