// The worker config file (contract §3.3): written by `register` (0600, atomic, in a 0700 folder),
// read and validated by `run`. Errors name the file and the field, never a value (it holds a token).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { describeZodError } from '../../app/shared/errors.ts';
import { isSafeSegment } from '../../app/shared/util.ts';

export const MAX_CONFIG_BYTES = 64 * 1024;

export const SimWorkerConfig = z.looseObject({
  // It names the run-event folder.
  workerId: z.string().min(1).refine(isSafeSegment, 'must be a safe file name'),
  workerToken: z.string().startsWith('wkt_', 'must be a wkt_ token'),
  apiUrl: z
    .string()
    .refine(
      (s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol),
      'must be an http(s) URL',
    ),
  workspaceId: z.string().nullable().optional(),
  isPool: z.boolean().optional(),
});
export type SimWorkerConfig = z.infer<typeof SimWorkerConfig>;

/** The five fields of §3.3, in the order connect writes them. */
export interface WorkerConfigFile {
  workerId: string;
  workerToken: string;
  apiUrl: string;
  workspaceId: string | null;
  isPool: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export async function readWorkerConfig(path: string): Promise<SimWorkerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new ConfigError(`cannot read config ${path}: ${code}`);
  }
  if (text.length > MAX_CONFIG_BYTES)
    throw new ConfigError(`config ${path} is larger than ${MAX_CONFIG_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which holds the token.
    throw new ConfigError(`config ${path} is not valid JSON`);
  }
  const parsed = SimWorkerConfig.safeParse(json);
  if (!parsed.success)
    throw new ConfigError(`config ${path} is invalid: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** Pretty-printed, 0600, via a sibling temp file + fsync + rename; the folder is created 0700. */
export async function writeWorkerConfig(path: string, config: WorkerConfigFile): Promise<void> {
  const dir = dirname(path);
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) await chmod(dir, 0o700).catch(() => {}); // the umask may have widened it
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const file = await open(tmp, 'wx', 0o600);
    try {
      await file.chmod(0o600);
      await file.writeFile(`${JSON.stringify(config, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
