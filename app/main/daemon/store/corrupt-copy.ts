// Keeps a copy of a state file that failed to parse or validate, beside it, so the operator
// can repair it. One copy per distinct content, and only the newest few.
import { readdir, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { serializeByPath } from './path-queue.ts';

export const MAX_CORRUPT_COPIES = 5;

/** `<file>.corrupt-<UTC time>`; the time sorts as text and is a valid name on every platform. */
function corruptCopyName(file: string, at: Date): string {
  return `${basename(file)}.corrupt-${at.toISOString().replace(/[:.]/g, '-')}`;
}

/** Returns the copy's path: an existing identical copy, or a new one (0600: it may hold secrets). */
export function keepCorruptCopy(
  file: string,
  bytes: Buffer,
  now: () => number = Date.now,
): Promise<string> {
  // Readers of the same damaged file in this process take turns, so they agree on one copy.
  // Stryker disable next-line StringLiteral: one queue for every file still has each file's readers take turns; only unrelated files wait longer
  return serializeByPath(`${file}.corrupt`, () => keepCopy(file, bytes, now));
}

async function keepCopy(file: string, bytes: Buffer, now: () => number): Promise<string> {
  const dir = dirname(file);
  const prefix = `${basename(file)}.corrupt-`;
  const copies = (await readdir(dir)).filter((name) => name.startsWith(prefix));
  // Stryker disable next-line MethodExpression,CallExpression: readdir lists names sorted already (libuv sorts them); this keeps it so everywhere
  copies.sort();
  for (const name of copies) {
    const existing = await readFile(join(dir, name)).catch(() => null);
    if (existing !== null && existing.equals(bytes)) return join(dir, name);
  }
  let name = corruptCopyName(file, new Date(now()));
  for (let n = 1; copies.includes(name); n++)
    name = `${corruptCopyName(file, new Date(now()))}-${n}`;
  await writeFileAtomic(join(dir, name), bytes, 0o600);
  // The oldest others go, never the new copy (even when the clock went back and it sorts first):
  // its path is the one the error names.
  for (const old of copies.slice(0, Math.max(0, copies.length + 1 - MAX_CORRUPT_COPIES)))
    await unlink(join(dir, old)).catch(() => undefined);
  return join(dir, name);
}
