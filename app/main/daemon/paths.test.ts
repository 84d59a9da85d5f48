import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathsFor } from './paths.ts';

describe('paths', () => {
  const p = pathsFor('/state');

  it('names worker files inside PIPEDAI_HOME', () => {
    expect(p.logFile('wrk_1.a-B')).toBe(join('/state', 'logs', 'wrk_1.a-B.log'));
    expect(p.runDir('w1')).toBe(join('/state', 'runs', 'w1'));
    expect(p.workerConfig('alpha')).toBe(join('/state', 'orchestrator', 'workers', 'alpha.json'));
  });

  it.each(['..', '../x', 'a/b', 'a\\b', '', 'x\0y', 'é'])(
    'refuses an id that would not be one file name inside it: %j',
    (id) => {
      expect(() => p.logFile(id)).toThrow(/cannot name a file: it must match \[A-Za-z0-9._-\]\+/);
      expect(() => p.runDir(id)).toThrow(/cannot name a file/);
      expect(() => p.workerConfig(id)).toThrow(/cannot name a file/);
    },
  );
});
