import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// The services suite (`npm run test:services`): the CLI and the daemon under a real systemd, one
// throwaway systemd-box per file (tools/systemd-box; needs root, overlayfs and namespaces, else
// each file reports a skip with the reason). Runs the built CLI (dist/): build first.
export default defineConfig({
  define: { __PIPEDAI_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/services/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Each file boots its own box, and the files run side by side (even on two cores, where
    // vitest would run one at a time): most of their time is runs that last seconds, not CPU.
    maxWorkers: 2,
    testTimeout: 150_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
  },
});
