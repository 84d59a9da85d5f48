// Test doubles for the seams that cannot run here (systemctl on a Mac, nssm on Linux): a runner
// that records each command and answers from a script, and an in-memory file system for paths
// such as /etc/systemd/system or C:\Users that a test must not (or cannot) write.
import type { RunResult, ServiceFs, ServiceRunner } from './types.ts';

export interface RecordingRunner {
  runner: ServiceRunner;
  /** Each call as [cmd, ...args]. */
  calls: string[][];
}

/** `answer` gets the command line joined by spaces; anything it leaves out succeeds with no output. */
export function recordingRunner(
  answer: (line: string) => Partial<RunResult> | undefined = () => undefined,
): RecordingRunner {
  const calls: string[][] = [];
  return {
    calls,
    runner: async (cmd, args) => {
      calls.push([cmd, ...args]);
      return { code: 0, stdout: '', stderr: '', ...answer([cmd, ...args].join(' ')) };
    },
  };
}

export interface MemoryFs extends ServiceFs {
  files: Map<string, { data: string; mode: number }>;
  dirs: Map<string, number>;
}

export function memoryFs(realpaths: Record<string, string> = {}): MemoryFs {
  const files = new Map<string, { data: string; mode: number }>();
  const dirs = new Map<string, number>();
  return {
    files,
    dirs,
    async writeFile(path, data, mode) {
      files.set(path, { data, mode });
    },
    async mkdir(path, mode) {
      if (!dirs.has(path)) dirs.set(path, mode);
    },
    async remove(path) {
      return files.delete(path);
    },
    async realpath(path) {
      return realpaths[path] ?? path;
    },
    async readFile(path) {
      return files.get(path)?.data ?? null;
    },
  };
}
