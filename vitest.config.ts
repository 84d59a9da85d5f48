import { readFileSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig({
  define: { __PIPEDAI_VERSION__: JSON.stringify(version) },
  test: {
    include: [
      'app/**/*.test.ts',
      'cli/**/*.test.ts',
      'sandbox/**/*.test.ts',
      'scripts/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // The fault and services suites run on their own: `npm run test:faults`, `npm run
    // test:services` (vitest.faults.config.ts, vitest.services.config.ts).
    exclude: [...configDefaults.exclude, 'test/faults/**', 'test/services/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    // `npm test` measures line coverage of the product (v8, in-process); scripts/coverage-rooms.mjs
    // prints it per room. Code run in child processes (the CLI bundle, daemons of the fault
    // suite) is not counted.
    coverage: {
      provider: 'v8',
      include: ['app/**/*.{ts,tsx}', 'cli/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test-support.ts', '**/fixtures/**', '**/*.d.ts'],
      reporter: ['json-summary'],
      reportsDirectory: 'coverage',
    },
  },
});
