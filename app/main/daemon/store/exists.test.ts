import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pathExists } from './exists.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedai-exists-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pathExists', () => {
  it('is false only for what is missing; any other failure counts as there (do not clobber it)', async () => {
    const file = join(dir, 'config.json');
    expect(await pathExists(file)).toBe(false);
    await writeFile(file, '{}');
    expect(await pathExists(file)).toBe(true);
    expect(await pathExists(dir)).toBe(true);
    // Under a file: ENOTDIR, not ENOENT.
    expect(await pathExists(join(file, 'inside'))).toBe(true);
  });
});
