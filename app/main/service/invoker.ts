// Who ran sudo. Under `sudo pipedai-orchestrator …` the process is root with root's HOME, but the
// host belongs to the user who typed the command: the system unit runs as them (`User=`), so the
// state the CLI reads and writes must be theirs too (their ~/.pipedai, owned by them), or the
// service would start on an empty folder and find root-owned files it cannot write.
import { execFileSync } from 'node:child_process';
import { lchown, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { describeZodError } from '../../shared/index.ts';
import { SudoUserSchema } from './spec.ts';

export interface Invoker {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

const id = z.coerce.number().int().min(0);
/** One `getent passwd` line: name:password:uid:gid:gecos:home:shell. */
const PasswdEntry = z
  .tuple([z.string(), z.string(), id, id, z.string(), z.string().startsWith('/'), z.string()])
  .transform(([name, , uid, gid, , home]) => ({ name, uid, gid, home }));

export function parsePasswdEntry(line: string): Invoker {
  const parsed = PasswdEntry.safeParse(line.trim().split('\n')[0]?.split(':'));
  if (!parsed.success) throw new Error(`getent passwd: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

const SudoEnv = z.object({ SUDO_USER: SudoUserSchema });

/** `getent passwd NAME`'s line, or null when there is no such user. */
export type PasswdLookup = (name: string) => string | null;

const getentPasswd: PasswdLookup = (name) => {
  try {
    return execFileSync('getent', ['passwd', name], { encoding: 'utf8', timeout: 10_000 });
  } catch {
    return null;
  }
};

/**
 * The user behind sudo: root with a SUDO_USER that is another account. Null otherwise (a plain
 * user, or root logged in as root). A SUDO_USER that is malformed or unknown is an error, not a
 * silent fall back to root's home.
 */
export function sudoInvoker(
  env: Readonly<Record<string, string | undefined>>,
  isRoot: boolean,
  lookup: PasswdLookup = getentPasswd,
): Invoker | null {
  if (!isRoot) return null;
  const parsed = SudoEnv.safeParse({ SUDO_USER: env.SUDO_USER });
  if (!parsed.success) throw new Error(describeZodError(parsed.error));
  const name = parsed.data.SUDO_USER;
  if (name === undefined || name === 'root') return null;
  const line = lookup(name);
  if (line === null)
    throw new Error(
      `sudo was run by ${name}, who has no entry in \`getent passwd ${name}\`; set PIPEDAI_HOME and run as root without sudo`,
    );
  const invoker = parsePasswdEntry(line);
  return invoker.uid === 0 ? null : invoker;
}

// A state folder holds a few hundred files (the worker runtime is the bulk): far below this.
const MAX_ENTRIES = 200_000;

/**
 * Gives what root created under `dir` (and `dir` itself) back to the invoker, without following
 * symlinks. Modes are left as they were written (0700 folders, 0600 secrets). Returns how many
 * entries changed owner.
 */
export async function handBack(dir: string, invoker: Invoker): Promise<number> {
  let changed = 0;
  let seen = 0;
  const visit = async (path: string, isDir: boolean): Promise<void> => {
    if (++seen > MAX_ENTRIES) throw new Error(`${dir} holds more than ${MAX_ENTRIES} entries`);
    await lchown(path, invoker.uid, invoker.gid);
    changed++;
    if (!isDir) return;
    for (const e of await readdir(path, { withFileTypes: true }))
      await visit(join(path, e.name), e.isDirectory());
  };
  try {
    await visit(dir, true);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && changed === 0) return 0;
    throw err;
  }
  return changed;
}

/**
 * Turns this root process into the invoker (their primary group only, then gid, then uid; HOME
 * and USER follow), so a daemon started with `sudo … start` runs as the user its state belongs
 * to, as the unit does.
 */
export function becomeInvoker(invoker: Invoker, env: NodeJS.ProcessEnv = process.env): void {
  process.setgroups?.([invoker.gid]);
  process.setgid?.(invoker.gid);
  process.setuid?.(invoker.uid);
  env.HOME = invoker.home;
  env.USER = invoker.name;
  env.LOGNAME = invoker.name;
  delete env.SUDO_USER;
  delete env.SUDO_UID;
  delete env.SUDO_GID;
  delete env.SUDO_COMMAND;
}
