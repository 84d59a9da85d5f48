import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileCacheDir, pruneCompileCache } from './compile-cache.ts';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('compile cache', () => {
  it('lives under PIPEDAI_HOME/cache/compile', () => {
    expect(compileCacheDir('/h')).toBe(join('/h', 'cache', 'compile'));
  });

  it('keeps only the newest folders (one per Node version and flags)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipedai-cc-'));
    roots.push(dir);
    const names = ['v22.1-a', 'v22.2-b', 'v22.3-c', 'v22.4-d', 'v22.5-e'];
    names.forEach((n, i) => {
      mkdirSync(join(dir, n));
      const t = new Date(2026, 0, 1 + i);
      utimesSync(join(dir, n), t, t);
    });
    const gone = pruneCompileCache(dir, 3);
    expect(gone.map((g) => g.slice(dir.length + 1)).sort()).toEqual(['v22.1-a', 'v22.2-b']);
    expect(readdirSync(dir).sort()).toEqual(['v22.3-c', 'v22.4-d', 'v22.5-e']);
  });
});
