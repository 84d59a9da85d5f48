// @ts-check
// StrykerJS over one critical room at a time (MUTATION_ROOM, set by scripts/mutation.mjs; rooms in
// scripts/mutation-rooms.mjs). Run it through `npm run test:mutation [-- <room>…]`, which also
// writes docs/mutation.md.
import { cpus } from 'node:os';
import { resultsFile, roomNamed } from './scripts/mutation-rooms.mjs';

const room = roomNamed(process.env.MUTATION_ROOM ?? '');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // Only the room's own unit tests (vitest.mutation.config.ts), and of those only the ones that
  // import the mutated file.
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: room.mutate,
  // A mutant runs only the tests that reached it in the dry run.
  coverageAnalysis: 'perTest',
  // Results of unchanged code and tests are reused: a rerun tests only what changed. The file is
  // committed (test/mutation/), so a fresh clone, CI and the next session rerun only what changed.
  incremental: true,
  incrementalFile: resultsFile(room.name),
  // 2 shared cores: one mutant per core at most (MUTATION_CONCURRENCY to change it).
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? Math.min(2, cpus().length)),
  // A mutant that makes a test wait (a loop that never ends, a timer never cleared) is a timeout,
  // which counts as detected; the margin covers a loaded machine.
  timeoutMS: 10_000,
  timeoutFactor: 2,
  reporters: ['html', 'progress', 'clear-text'],
  htmlReporter: { fileName: `reports/mutation/${room.name}.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  // The sandbox copy: what the tests need, not the outputs or caches.
  ignorePatterns: [
    'dist',
    'out',
    'coverage',
    'test-results',
    'playwright-report',
    'reports',
    'release',
    '.cache',
    '.sandbox-state',
    '.sandbox-registry',
    'docs/screenshots',
    '.tools',
    'tools/electronegativity/node_modules',
  ],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
