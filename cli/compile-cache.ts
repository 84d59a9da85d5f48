// Node's module compile cache (V8 code cache on disk) for the CLI's bundle and chunks, under
// PIPEDAI_HOME/cache/compile. Node keeps one folder per Node version and V8 flags inside it and
// rewrites the entries of a changed file; what bounds it is that we prune those folders: only
// the newest few stay, so upgrades of Node (or Electron-as-Node) leave no trail.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';

/** Folders (one per Node version and flag set) kept besides the current one. */
const KEEP_FOLDERS = 3;

export function compileCacheDir(home: string): string {
  return join(home, 'cache', 'compile');
}

/**
 * Turn the cache on (Node ≥ 22.1; a no-op elsewhere or when NODE_DISABLE_COMPILE_CACHE is set).
 * Never fails the command: a read-only home just runs without it.
 */
export function enableCompileCache(home: string): void {
  if (typeof module.enableCompileCache !== 'function') return;
  const dir = compileCacheDir(home);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    module.enableCompileCache(dir);
    pruneCompileCache(dir, KEEP_FOLDERS);
  } catch {
    // No cache: the command runs as before.
  }
}

/** Remove all but the `keep` most recently changed folders under `dir`; returns what it removed. */
export function pruneCompileCache(dir: string, keep: number): string[] {
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ path: join(dir, e.name), mtime: statSync(join(dir, e.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  const gone = folders.slice(keep).map((f) => f.path);
  for (const path of gone) rmSync(path, { recursive: true, force: true });
  return gone;
}
