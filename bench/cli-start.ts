// CLI start-up: wall time and peak RSS of one CLI command, from spawn to exit, median of several
// runs, with bare `node -e 0` as the floor. The published CLI has no `workers` or `logs`: its
// nearest command that reads the daemon is `upgrade <label>`, which proves nothing, GETs
// /api/workers and exits 1 on an unknown label; that is the figure ours is compared with.
import { spawn } from 'node:child_process';
import { median } from './measure.ts';

export interface CliRun {
  wallMs: number;
  maxRssKiB: number;
}

export interface CliTiming {
  /** Median over the runs. */
  wallMs: number;
  maxRssKiB: number;
  runs: number;
}

/** One run: spawn → exit, wall clock here and the child's peak RSS (GNU time's %M). */
function runOnce(node: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // /usr/bin/time reports the child's peak RSS on fd 2; the child's own stderr is discarded
    // by the command line below so only the figure remains.
    const child = spawn('/usr/bin/time', ['-f', '%M', node, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const wallMs = performance.now() - t0;
      const m = /(\d+)\s*$/.exec(err.trim());
      resolve({ wallMs, maxRssKiB: m ? Number(m[1]) : NaN });
    });
  });
}

/** Median of `runs` runs, after one warm-up run (file cache, compile cache). */
export async function timeCli(
  node: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  runs: number,
): Promise<CliTiming> {
  await runOnce(node, args, env);
  const results: CliRun[] = [];
  for (let i = 0; i < runs; i++) results.push(await runOnce(node, args, env));
  return {
    wallMs: median(results.map((r) => r.wallMs)),
    maxRssKiB: median(results.map((r) => r.maxRssKiB)),
    runs,
  };
}
