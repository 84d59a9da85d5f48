// Where a command resolves on a PATH, as a spawn would find it (PATHEXT on Windows).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter as hostDelimiter, isAbsolute, join } from 'node:path';

export function pathEntries(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  const sep = platform === 'win32' ? ';' : platform === process.platform ? hostDelimiter : ':';
  return (env[key] ?? '').split(sep).filter((p) => p !== '');
}

async function runnable(path: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    if (platform !== 'win32') await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The file `command` runs, or null. A command with a path in it is checked as it is. */
export async function which(
  command: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): Promise<string | null> {
  const exts =
    platform === 'win32'
      ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
      : [''];
  if (
    isAbsolute(command) ||
    command.includes('/') ||
    (platform === 'win32' && command.includes('\\'))
  ) {
    for (const ext of exts) if (await runnable(command + ext, platform)) return command + ext;
    return null;
  }
  for (const dir of pathEntries(env, platform))
    for (const ext of exts) {
      const candidate = join(dir, command + ext);
      if (await runnable(candidate, platform)) return candidate;
    }
  return null;
}
