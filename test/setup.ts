import { afterAll, vi } from 'vitest';
import { describeLeftovers, OWNER_TAG, reapLeftovers } from './support/leftover-processes.ts';

// A stray `import 'electron'` under Node would try to download a binary: fail loudly instead.
vi.mock('electron', () => {
  throw new Error('electron must not be imported outside app/main/shell tests that mock it');
});

// No test file may leave a process running. Each file runs in a fork of its own; everything it
// spawns from here on inherits this tag: this run's temp root (so the suites of another checkout
// running at the same time never match) and this fork's pid. After the file's last hook
// (setup-file hooks run last), whatever still runs below this fork or carries the tag fails the
// file, and is killed.
const entry = `${OWNER_TAG}=${process.env.PIPEDAI_TEST_ROOT ?? ''}:${process.pid}`;
process.env[OWNER_TAG] = entry.slice(OWNER_TAG.length + 1);

afterAll(async () => {
  // esbuild keeps its service process for the life of the process that built (for the next
  // build): a file that bundled something ends it here. Without a service this does nothing.
  await (await import('esbuild')).stop();
  const left = await reapLeftovers({ pid: process.pid, tagged: (e) => e === entry });
  if (left.length > 0)
    throw new Error(
      `this test file left ${left.length} process(es) running (now killed):\n${describeLeftovers(left)}`,
    );
});
