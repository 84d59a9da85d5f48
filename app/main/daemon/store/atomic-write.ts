// Atomic file writes (temp file in the same folder, fsync, rename, fsync the folder) and
// private folders: a crash or power cut leaves either the old file or the new one, never half.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** mkdir -p, then chmod the leaf (mkdir's mode is masked by the umask and skipped for existing folders). */
export async function ensureDir(
  path: string,
  mode = 0o700,
  platform: NodeJS.Platform = process.platform,
): Promise<void> {
  await mkdir(path, { recursive: true, mode });
  try {
    await chmod(path, mode);
  } catch (err) {
    // Windows has no POSIX modes; elsewhere a folder we cannot make private is an error.
    if (platform !== 'win32') throw err;
  }
}

/** A unique sibling name, hidden, so concurrent writers (and processes) never share a temp file. */
export function tempPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
}

export async function writeFileAtomic(
  path: string,
  data: string | Buffer,
  mode = 0o600,
): Promise<void> {
  const tmp = tempPathFor(path);
  let renamed = false;
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.chmod(mode); // the open mode is masked by the umask
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    // Stryker disable next-line BooleanLiteral: after the rename no file has the temp name, so the unlink below finds nothing
    renamed = true;
    await fsyncDir(dirname(path));
  } finally {
    // Stryker disable next-line ConditionalExpression: after the rename no file has the temp name, so the unlink finds nothing
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}

/** Makes the rename durable. Some platforms (Windows) cannot open a folder: nothing more to do there. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EPERM/EINVAL/EBADF where folders cannot be synced: the rename itself still happened.
  } finally {
    await handle?.close();
  }
}
