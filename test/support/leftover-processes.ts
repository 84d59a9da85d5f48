// Processes a test left running, found in /proc (Linux; elsewhere there is nothing to scan and
// the check passes). Two ways to belong to a test, because each alone misses some:
// - a descendant of the test's own process (its ppid chain leads there): catches a child started
//   with an environment of its own (`env: {…}` without ours), but not an orphan, which the OS
//   reparents away as soon as its parent dies (a detached daemon's worker, a killed shim's node);
// - a process whose environment carries the test's tag (`name=value`, set in process.env before
//   the test spawned anything, so every child and grandchild inherits it): catches orphans.
// A zombie does not count: it runs nothing and its parent reaps it.
import { readdir, readFile } from 'node:fs/promises';

export interface LeftoverProcess {
  pid: number;
  /** Its command line (argv joined by spaces), or its name when /proc hides argv. */
  command: string;
  why: 'descendant' | 'tagged';
}

interface ProcEntry {
  pid: number;
  ppid: number;
  state: string;
  name: string;
}

async function procEntry(pid: number): Promise<ProcEntry | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  // `pid (name) state ppid …`: the name may hold spaces and parentheses, so split at the last ')'.
  const close = stat.lastIndexOf(')');
  const [state = '', ppid = '0'] = stat.slice(close + 2).split(' ');
  return { pid, ppid: Number(ppid), state, name: stat.slice(stat.indexOf('(') + 1, close) };
}

async function commandOf(p: ProcEntry): Promise<string> {
  const raw = await readFile(`/proc/${p.pid}/cmdline`, 'utf8').catch(() => '');
  const argv = raw.split('\0').filter((a) => a !== '');
  return argv.length > 0 ? argv.join(' ') : `[${p.name}]`;
}

export interface Owner {
  /** The test's process: its descendants are its leftovers (null: look at tags only). */
  pid: number | null;
  /** An environment entry (`NAME=value`) that marks the test's processes. */
  tagged(entry: string): boolean;
}

/** Live processes below the owner's process or carrying its tag in their environment. */
export async function leftoverProcesses(owner: Owner): Promise<LeftoverProcess[]> {
  const names = await readdir('/proc').catch(() => [] as string[]);
  const all = (
    await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => procEntry(Number(n))))
  ).filter((p) => p !== null);
  const children = new Map<number, ProcEntry[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const below = new Set<number>();
  const todo = owner.pid === null ? [] : [owner.pid];
  for (let pid = todo.pop(); pid !== undefined; pid = todo.pop()) {
    for (const c of children.get(pid) ?? []) {
      if (below.has(c.pid)) continue;
      below.add(c.pid);
      todo.push(c.pid);
    }
  }
  const live = all.filter(
    (p) => p.pid !== process.pid && p.pid !== owner.pid && p.state !== 'Z' && p.state !== 'X',
  );
  const found = await Promise.all(
    live.map(async (p): Promise<LeftoverProcess | null> => {
      if (below.has(p.pid)) return { pid: p.pid, command: await commandOf(p), why: 'descendant' };
      const env = await readFile(`/proc/${p.pid}/environ`, 'utf8').catch(() => '');
      if (!env.split('\0').some((e) => owner.tagged(e))) return null;
      return { pid: p.pid, command: await commandOf(p), why: 'tagged' };
    }),
  );
  return found.filter((p) => p !== null);
}

/**
 * Wait (up to `graceMs`: a process told to stop may still be exiting) until nothing is left;
 * then SIGKILL what remains, so one careless file does not disturb the next, and return it.
 */
export async function reapLeftovers(owner: Owner, graceMs = 10_000): Promise<LeftoverProcess[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const left = await leftoverProcesses(owner);
    if (left.length === 0) return [];
    if (Date.now() > deadline) {
      for (const p of left) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      return left;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function describeLeftovers(left: readonly LeftoverProcess[]): string {
  return left.map((p) => `  pid ${p.pid} (${p.why}): ${p.command.slice(0, 300)}`).join('\n');
}

/** The environment variable that tags every process a test file spawns (test/setup.ts). */
export const OWNER_TAG = 'PIPEDAI_TEST_OWNER';
