import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// The fault suite (`npm run test:faults`): real daemons, workers and emulators broken on purpose.
// Kept out of `npm test` because each file runs for tens of seconds.
export default defineConfig({
  define: { __PIPEDAI_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/faults/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // One file at a time: each runs a daemon, an emulator and up to ten worker processes, and
    // two of those at once on two cores only make both slower (and the CPU bound noisier).
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Teardowns run in reverse: stray processes are killed before the temp root is removed.
    globalSetup: ['test/global-setup.ts', 'test/faults/support/global-teardown.ts'],
    setupFiles: ['test/setup.ts'],
  },
});
