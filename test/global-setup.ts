import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLeftovers, OWNER_TAG, reapLeftovers } from './support/leftover-processes.ts';

// Tests never touch the real ~/.pipedai: every run gets a throwaway PIPEDAI_HOME
// (tests that need isolation make their own below it).
export default function setup(): () => Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'pipedai-test-'));
  process.env.PIPEDAI_HOME = join(root, 'home');
  process.env.PIPEDAI_TEST_ROOT = root;
  return async () => {
    // The last look for leftovers (test/setup.ts checks each file as it ends): what a file whose
    // fork died before its hooks ran (a crash, a timeout) left. Every process a test spawned
    // carries PIPEDAI_TEST_OWNER=<root>:<fork pid>; the forks themselves do not (they set it in
    // their own process.env, which /proc/<pid>/environ does not show).
    const prefix = `${OWNER_TAG}=${root}:`;
    const left = await reapLeftovers({ pid: null, tagged: (e) => e.startsWith(prefix) }, 2_000);
    rmSync(root, { recursive: true, force: true });
    if (left.length > 0)
      throw new Error(
        `the tests left ${left.length} process(es) running (now killed):\n${describeLeftovers(left)}`,
      );
  };
}
