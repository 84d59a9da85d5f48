// Worker config files (§3.3). Read: validated, with errors that name the file and field but
// never echo the worker token. Write: the five fields `connect` writes, atomically, 0600 in a
// 0700 folder, and never over an existing config unless asked (re-connecting must not clobber).
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { describeZodError, firstField } from '../../../shared/errors.ts';
import { WorkerConfig } from '../../../shared/state.ts';
import { PathSegment } from '../../../shared/util.ts';
import { ensureDir, writeFileAtomic } from './atomic-write.ts';
import { pathExists } from './exists.ts';
import { withFileLock } from './file-mutex.ts';
import { StateFileError } from './json-file.ts';
import { parseJsonText } from './json-text.ts';
import { serializeByPath } from './path-queue.ts';

/** What `connect` writes: a workspace worker (pool workers come only from `register`). */
export const ConnectWorkerConfig = z.object({
  workerId: PathSegment,
  workerToken: z.string().min(1),
  apiUrl: z.url(),
  workspaceId: z.string().nullable(),
});
export type ConnectWorkerConfig = z.infer<typeof ConnectWorkerConfig>;

export async function readWorkerConfig(path: string): Promise<WorkerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // Stryker disable next-line StringLiteral: readFile's errors all carry a code
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StateFileError(path, `cannot read worker config ${path} (${code})`);
  }
  const json = parseJsonText(text);
  if (!json.ok) {
    const where = `${json.reason} at line ${json.line} column ${json.column}, position ${json.position}`;
    throw new StateFileError(path, `worker config ${path} is not valid JSON (${where})`);
  }
  const parsed = WorkerConfig.safeParse(json.value);
  if (!parsed.success) {
    const message = `worker config ${path} is invalid: ${describeZodError(parsed.error)}`;
    throw new StateFileError(path, message, firstField(parsed.error));
  }
  return parsed.data;
}

export async function writeWorkerConfig(
  path: string,
  cfg: ConnectWorkerConfig,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const parsed = ConnectWorkerConfig.safeParse(cfg);
  if (!parsed.success) {
    const message = `refusing to write worker config ${path}: ${describeZodError(parsed.error)}`;
    throw new StateFileError(path, message, firstField(parsed.error));
  }
  // Exactly these five fields, in this order (§3.3).
  const { workerId, workerToken, apiUrl, workspaceId } = parsed.data;
  const body = { workerId, workerToken, apiUrl, workspaceId, isPool: false };
  await serializeByPath(path, async () => {
    await ensureDir(dirname(path), 0o700);
    await withFileLock(path, async () => {
      if (!options.overwrite && (await pathExists(path))) {
        throw new StateFileError(
          path,
          `worker config ${path} already exists; refusing to overwrite it`,
        );
      }
      await writeFileAtomic(path, JSON.stringify(body, null, 2), 0o600);
    });
  });
}
