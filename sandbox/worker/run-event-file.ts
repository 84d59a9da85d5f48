// `<home>/runs/<workerId>/<runId>.ndjson` (contract §3.5): one `{seq, type, ts, payload}` object
// per line, each line written whole by one append. Folder 0700 and file 0600: events may quote
// the workspace's code.
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEventLine } from './run-events.ts';

export interface RunEventFile {
  readonly path: string;
  append(line: RunEventLine): Promise<void>;
  close(): Promise<void>;
}

export async function openRunEventFile(
  home: string,
  workerId: string,
  runId: string,
): Promise<RunEventFile> {
  const dir = join(home, 'runs', workerId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${runId}.ndjson`);
  const file = await open(path, 'a', 0o600);
  return {
    path,
    append: async (line) => {
      await file.appendFile(`${JSON.stringify(line)}\n`);
    },
    close: () => file.close(),
  };
}
