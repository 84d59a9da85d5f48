// PIPEDAI_SIM_GRANDCHILDREN: long-lived children of the worker (like the model CLI a real worker
// runs), in the worker's process group, so tests can check that the orchestrator kills whole trees.
// A graceful worker exit kills them; a crash leaves them behind, as a real crash would. As a
// safety net for test machines, an orphan exits by itself ORPHAN_GRACE_MS after losing its parent.
import { spawn, type ChildProcess } from 'node:child_process';

export const ORPHAN_GRACE_MS = 30_000;

/** The grandchild's program: argv = [parentPid, ignoreSigterm (0|1), graceMs]; says `ready` once its handlers are in place. */
export const GRANDCHILD_SCRIPT = [
  'const [parent, ignore, grace] = process.argv.slice(1).map(Number);',
  "if (ignore === 1) process.on('SIGTERM', () => {});",
  "process.stdout.write('ready\\n');",
  'let orphanSince = 0;',
  'setInterval(() => {',
  '  if (process.ppid === parent) return;',
  '  orphanSince ||= Date.now();',
  '  if (Date.now() - orphanSince >= grace) process.exit(0);',
  '}, 1000);',
].join('\n');

export interface Grandchildren {
  /** SIGKILL them (they may ignore SIGTERM) and reap them, waiting at most `capMs`. */
  killAll(capMs: number): Promise<void>;
}

export function spawnGrandchildren(
  count: number,
  opts: { ignoreSigterm: boolean; log: (line: string) => void },
): Grandchildren {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(
      process.execPath,
      [
        '-e',
        GRANDCHILD_SCRIPT,
        String(process.pid),
        opts.ignoreSigterm ? '1' : '0',
        String(ORPHAN_GRACE_MS),
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    child.on('error', (error) => opts.log(`grandchild failed to start: ${error.message}`));
    const pid = child.pid;
    if (pid === undefined) continue;
    children.push(child);
    // Logged only once it ignores SIGTERM (if asked), so a test that reads the line can rely on it.
    child.stdout?.once('data', () => {
      opts.log(`grandchild ready pid=${pid}`);
      child.stdout?.destroy();
    });
  }
  return {
    async killAll(capMs) {
      const live = children.filter((c) => c.exitCode === null && c.signalCode === null);
      const exits = live.map(
        (c) => new Promise<void>((resolve) => c.once('exit', () => resolve())),
      );
      for (const child of live) child.kill('SIGKILL');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(exits),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, capMs))),
      ]);
      clearTimeout(timer);
    },
  };
}
