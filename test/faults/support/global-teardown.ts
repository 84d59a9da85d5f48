// Safety net for the fault suite: whatever a test file left running when it failed or timed out
// (a daemon, a worker, a grandchild) is killed once the run ends. Every fault test's processes
// carry FAULT_MARKER=<its folder>, and every folder lies under this run's PIPEDAI_TEST_ROOT.
import { readdir, readFile } from 'node:fs/promises';
import { FAULT_MARKER } from './procfs.ts';

export default function setup(): () => Promise<void> {
  return async () => {
    const root = process.env.PIPEDAI_TEST_ROOT;
    if (!root) return;
    const prefix = `${FAULT_MARKER}=${root}/`;
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      const env = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
      if (!env.split('\0').some((e) => e.startsWith(prefix))) continue;
      try {
        process.kill(Number(name), 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  };
}
