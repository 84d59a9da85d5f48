import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { GRANDCHILD_SCRIPT, spawnGrandchildren } from './grandchildren.ts';
import { isAlive, waitFor } from './test-support.ts';

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

describe('grandchildren', () => {
  it('an orphaned grandchild exits by itself after its grace', async () => {
    // Told its parent is a pid that is not its parent: it sees itself as orphaned at once.
    const child = spawn(process.execPath, ['-e', GRANDCHILD_SCRIPT, '1', '0', '100'], {
      stdio: 'ignore',
    });
    if (child.pid) started.push(child.pid);
    const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  });

  it('killAll kills and reaps grandchildren that ignore SIGTERM', async () => {
    const lines: string[] = [];
    const kids = spawnGrandchildren(2, { ignoreSigterm: true, log: (l) => lines.push(l) });
    await waitFor('both grandchildren ready', () => lines.length === 2);
    const pids = lines.map((l) => Number(/^grandchild ready pid=(\d+)$/.exec(l)?.[1]));
    started.push(...pids);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    await kids.killAll(5000);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });
});
