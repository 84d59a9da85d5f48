import { access } from 'node:fs/promises';

/** Whether something is at `path` (any error but "missing" still says it exists: do not clobber it). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
