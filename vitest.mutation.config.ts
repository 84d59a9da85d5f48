// The unit tests Stryker runs against one room's mutants (stryker.config.mjs): the room's own
// tests (scripts/mutation-rooms.mjs), with the main config's setup and none of its coverage.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';
import { roomNamed } from './scripts/mutation-rooms.mjs';

const room = roomNamed(process.env.MUTATION_ROOM ?? '');

export default defineConfig({
  ...base,
  // (mergeConfig would append to the main config's include, not replace it)
  test: { ...base.test, include: room.tests, coverage: { enabled: false } },
});
