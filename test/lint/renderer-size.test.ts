// Issue 13's structure, kept: no file under app/renderer/ passes ~250 lines, so each one has a
// job a newcomer can hold in their head (split styles by part, stores by slice, components by view).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const MAX_LINES = 250;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('app/renderer', () => {
  it(`has no file longer than ${MAX_LINES} lines`, () => {
    const long = filesUnder(join(ROOT, 'app/renderer'))
      .map((f) => ({ file: relative(ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
