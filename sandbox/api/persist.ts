// `<stateDir>/state.json`: validated on load (a bad file is an error naming it, never a silent
// reset), written atomically (the daemon store's writeFileAtomic) and debounced so bursts cost one write.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, writeFileAtomic } from '../../app/main/daemon/store/json-file.ts';
import { describeZodError } from '../../app/shared/index.ts';
import { StateFile } from './state.ts';

export const STATE_FILE_NAME = 'state.json';

export async function loadStateFile(stateDir: string): Promise<StateFile | null> {
  const file = join(stateDir, STATE_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`sandbox state file ${file} is not valid JSON; move it away to start afresh`);
  }
  const parsed = StateFile.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`sandbox state file ${file} is invalid: ${describeZodError(parsed.error)}`);
  }
  return parsed.data;
}

export interface StateSaver {
  /** Ask for a write soon; many calls within the debounce window cost one write. */
  schedule(): void;
  /** Write now if anything is pending, and wait for every write in flight. */
  flush(): Promise<void>;
}

export async function createStateSaver(options: {
  stateDir: string;
  snapshot: () => StateFile;
  debounceMs?: number;
  onError: (error: unknown) => void;
}): Promise<StateSaver> {
  await ensureDir(options.stateDir);
  const file = join(options.stateDir, STATE_FILE_NAME);
  const debounceMs = options.debounceMs ?? 200;
  let timer: NodeJS.Timeout | null = null;
  let dirty = false;
  let writing: Promise<void> = Promise.resolve();

  const write = (): Promise<void> => {
    // Writes are chained, so the last snapshot always lands last.
    writing = writing.then(async () => {
      if (!dirty) return;
      dirty = false;
      try {
        await writeFileAtomic(file, JSON.stringify(options.snapshot(), null, 2));
      } catch (error) {
        options.onError(error);
      }
    });
    return writing;
  };

  return {
    schedule() {
      dirty = true;
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void write();
      }, debounceMs);
      timer.unref();
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      await write();
    },
  };
}
