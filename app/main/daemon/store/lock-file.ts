// Exclusive lock files: created with their whole content in one step, and taken over from a
// dead holder such that, of many processes finding the same stale lock, exactly one removes it.
import { createHash } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { isProcessAlive } from '../owner/process-info.ts';
import { tempPathFor } from './atomic-write.ts';

/**
 * Creates `path` holding `content` unless it exists. The content is written to a temp file and
 * hard-linked into place (link fails with EEXIST like O_EXCL does), so no reader ever sees a
 * lock that exists but is still empty.
 */
export async function createExclusive(path: string, content: string): Promise<boolean> {
  const tmp = tempPathFor(path);
  // Stryker disable next-line StringLiteral: the temp name is new (pid and random bytes), so plain 'w' creates it just as 'wx' does
  await writeFile(tmp, content, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** The lock's content, or null when there is none. */
export async function readLock(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Removes the lock if it is mine (its content is exactly what I wrote). */
export async function removeLockIfContent(path: string, content: string): Promise<void> {
  if ((await readLock(path)) === content) await unlink(path).catch(() => undefined);
}

/** A takeover lasts a few file operations: a token this old was left by a process that died. */
const TOKEN_STALE_MS = 10_000;

const TakeoverToken = z.object({ pid: z.number().int(), at: z.number() });
type TakeoverToken = z.infer<typeof TakeoverToken>;

/**
 * Removes the lock at `path` if it still holds `stale` (content the caller judged stale).
 * Only the process that creates the takeover token for that content may remove it: the others
 * find the token and retry, and a late one finds newer content and leaves it alone. Returns
 * whether this call removed the lock. A token left by a process that died mid-takeover is
 * dropped once its holder is dead or the token is older than TOKEN_STALE_MS.
 */
export async function takeOverStaleLock(path: string, stale: string): Promise<boolean> {
  const token = `${path}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  const mine = JSON.stringify({ pid: process.pid, at: Date.now() } satisfies TakeoverToken);
  if (!(await createExclusive(token, mine))) {
    const held = parseToken(await readLock(token));
    if (held === null || !isProcessAlive(held.pid) || Date.now() - held.at > TOKEN_STALE_MS)
      await unlink(token).catch(() => undefined);
    return false;
  }
  try {
    if ((await readLock(path)) !== stale) return false;
    await unlink(path);
    return true;
  } finally {
    await unlink(token).catch(() => undefined);
  }
}

function parseToken(text: string | null): TakeoverToken | null {
  // Stryker disable next-line ConditionalExpression: parseJsonWith(null) is null too; the test is for the type
  return text === null ? null : parseJsonWith(TakeoverToken, text);
}

/** The value when `text` is JSON that `schema` accepts, else null (a lock file we cannot read). */
export function parseJsonWith<T>(schema: z.ZodType<T>, text: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
