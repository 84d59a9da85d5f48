// The unit tests Stryker runs against one room's mutants (stryker.config.mjs): the room's own
// tests (scripts/mutation-rooms.mjs), with the main config's setup and none of its coverage.
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from './vitest.config.ts';
import { roomNamed } from './scripts/mutation-rooms.mjs';

const room = roomNamed(process.env.MUTATION_ROOM ?? '');

/**
 * Stryker runs a mutant's covering test files one after another and stops at the first failure
 * (bail). Vitest's own order runs the longest file first, so a mutant that a 2 ms unit test kills
 * first waited for every real-process test of the room (the supervisor's take 18 s). Here: the
 * file that failed last first (it killed the previous mutant, often a neighbour of this one),
 * then the shortest first; files never run yet go last.
 */
export class FastFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const result = (spec: TestSpecification) => this.ctx.cache.getTestSpecificationResult(spec);
    return [...files].sort((a, b) => {
      const [ra, rb] = [result(a), result(b)];
      if (!ra || !rb) return ra ? -1 : rb ? 1 : 0;
      if (ra.failed !== rb.failed) return ra.failed ? -1 : 1;
      return ra.duration - rb.duration;
    });
  }
}

export default defineConfig({
  ...base,
  // (mergeConfig would append to the main config's include, not replace it)
  test: {
    ...base.test,
    include: room.tests,
    coverage: { enabled: false },
    sequence: { sequencer: FastFirstSequencer },
  },
});
