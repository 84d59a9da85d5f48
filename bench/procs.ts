// Every process the bench starts, and the guarantee that none outlives it: children are tracked,
// each runs in its own process group, and on exit or Ctrl-C the groups are killed and any worker
// left behind (workers are detached from their daemon) is found by the temp root in its argv.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

const tracked = new Set<ChildProcess>();
const tempRoots = new Set<string>();

/** Spawns `cmd` in a new process group (a terminal Ctrl-C reaches only the bench). */
export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions): ChildProcess {
  const child = spawn(cmd, args, { ...opts, detached: true });
  tracked.add(child);
  child.once('exit', () => tracked.delete(child));
  child.once('error', () => tracked.delete(child));
  return child;
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function exited(child: ChildProcess): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Signal, wait up to graceMs, then SIGKILL the whole group. True when it ended on its own. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<boolean> {
  if (hasExited(child)) return true;
  signalPid(child.pid, signal);
  let timer: NodeJS.Timeout | undefined;
  const graceful = await Promise.race([
    exited(child).then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (!graceful) {
    killGroup(child.pid);
    await exited(child);
  }
  return graceful;
}

function signalPid(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    signalPid(pid, 'SIGKILL');
  }
}

/** The argv (NUL-joined) of every live process but this one, by pid. */
export function processArgvs(): string[] {
  return [...argvByPid().values()];
}

function argvByPid(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      out.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Live processes whose argv mentions `needle` (a worker's argv holds its config path). */
export function pidsMentioning(needle: string): number[] {
  return [...argvByPid()].filter(([, argv]) => argv.includes(needle)).map(([pid]) => pid);
}

/** SIGKILLs every process that mentions `needle`; returns how many there were. */
export function killStrays(needle: string): number {
  const pids = pidsMentioning(needle);
  for (const pid of pids) signalPid(pid, 'SIGKILL');
  return pids.length;
}

/** A temp folder removed (and whose strays are killed) when the bench ends, however it ends. */
export function registerTempRoot(dir: string): void {
  tempRoots.add(dir);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Synchronous, so it also runs from process.on('exit'). */
export function cleanupSync(): void {
  for (const child of tracked) killGroup(child.pid);
  tracked.clear();
  // A daemon killed mid-spawn may have started one more worker: sweep twice.
  for (let pass = 0; pass < 2; pass++) {
    let n = 0;
    for (const root of tempRoots) n += killStrays(root);
    if (n === 0) break;
    sleepSync(200);
  }
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
  tempRoots.clear();
}

export function installCleanup(log: (line: string) => void): void {
  process.once('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      log(`\n${sig}: stopping every process the bench started…`);
      cleanupSync();
      process.exit(130);
    });
  }
}
