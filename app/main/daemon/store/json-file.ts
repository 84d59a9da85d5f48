// One JSON state file: validated on every read, written atomically, mutations serialized in
// this process and across processes. A file that fails to parse or validate is never
// overwritten: the error names the file and field, and a copy is kept beside it.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { describeZodError, firstField } from '../../../shared/errors.ts';
import { ensureDir, writeFileAtomic } from './atomic-write.ts';
import { keepCorruptCopy } from './corrupt-copy.ts';
import { withFileLock } from './file-mutex.ts';
import { parseJsonText } from './json-text.ts';
import { serializeByPath } from './path-queue.ts';

export { ensureDir, writeFileAtomic } from './atomic-write.ts';
export { LockTimeoutError } from './file-mutex.ts';

export interface JsonFileOptions<T> {
  /** File mode (default 0o600). */
  mode?: number;
  /** The value when the file is missing. */
  empty: () => T;
  /** Default: JSON.stringify(v, null, 2), no trailing newline. */
  serialize?: (v: T) => string;
  /** Lock `<file>.lock` around mutations, for files other processes also write (default true). */
  crossProcessLock?: boolean;
  /** Longest wait for another process's lock (default 10 s). */
  lockTimeoutMs?: number;
  /** Clock for the names of kept copies of a damaged file. */
  now?: () => number;
}

/** A state file that cannot be read or written as it is. The message is safe to show: no file content. */
export class StateFileError extends Error {
  readonly file: string;
  readonly field: string | null;
  readonly backupPath: string | null;
  constructor(
    file: string,
    message: string,
    field: string | null = null,
    backupPath: string | null = null,
  ) {
    super(message);
    this.name = 'StateFileError';
    this.file = file;
    this.field = field;
    this.backupPath = backupPath;
  }
}

export class JsonFile<T> {
  readonly path: string;
  private readonly schema: z.ZodType<T, unknown>;
  private readonly options: JsonFileOptions<T>;

  constructor(path: string, schema: z.ZodType<T, unknown>, options: JsonFileOptions<NoInfer<T>>) {
    this.path = resolve(path);
    this.schema = schema;
    this.options = options;
  }

  /** The validated content; the empty value when the file is missing. */
  read(): Promise<T> {
    return this.load();
  }

  /** Read-modify-write under both locks; resolves to what was written. */
  update(mutate: (current: T) => T | Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const next = this.validate(await mutate(await this.load()));
      await this.store(next);
      return next;
    });
  }

  /** Replaces the content; still refuses to replace a file that fails to parse or validate. */
  write(value: T): Promise<void> {
    return this.exclusive(async () => {
      await this.load();
      await this.store(this.validate(value));
    });
  }

  private exclusive<R>(task: () => Promise<R>): Promise<R> {
    return serializeByPath(this.path, async () => {
      await ensureDir(dirname(this.path), 0o700);
      if (this.options.crossProcessLock === false) return task();
      return withFileLock(this.path, task, {
        timeoutMs: this.options.lockTimeoutMs,
      });
    });
  }

  private async load(): Promise<T> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.options.empty();
      throw err;
    }
    const text = parseJsonText(bytes.toString('utf8'));
    if (!text.ok) {
      const where = `${text.reason} at line ${text.line} column ${text.column}, position ${text.position}`;
      throw await this.corrupt(bytes, `${this.path} is not valid JSON (${where})`, null);
    }
    const parsed = this.schema.safeParse(text.value);
    if (!parsed.success) {
      throw await this.corrupt(
        bytes,
        `${this.path} is invalid: ${describeZodError(parsed.error)}`,
        firstField(parsed.error),
      );
    }
    return parsed.data;
  }

  private async corrupt(
    bytes: Buffer,
    problem: string,
    field: string | null,
  ): Promise<StateFileError> {
    let backup: string | null = null;
    let kept: string;
    try {
      backup = await keepCorruptCopy(this.path, bytes, this.options.now);
      kept = `a copy is kept at ${backup}`;
    } catch (err) {
      kept = `could not keep a copy (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    return new StateFileError(
      this.path,
      `${problem}; ${kept}; it is left as it is until fixed or removed`,
      field,
      backup,
    );
  }

  private validate(value: T): T {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) {
      const message = `refusing to write ${this.path}: ${describeZodError(parsed.error)}`;
      throw new StateFileError(this.path, message, firstField(parsed.error));
    }
    return parsed.data;
  }

  private async store(value: T): Promise<void> {
    const text = this.options.serialize
      ? this.options.serialize(value)
      : JSON.stringify(value, null, 2);
    await writeFileAtomic(this.path, text, this.options.mode ?? 0o600);
  }
}
