// What `npm pack` makes of this checkout is what operators install with `npm i -g`: the tarball's
// name and the package's name are the contract of the server path (README: Install on a server).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '../..');

const PackResult = z.array(
  z.object({ name: z.string(), version: z.string(), filename: z.string() }),
);

describe('npm pack', { timeout: 60_000 }, () => {
  it('gives pipedai-orchestrator-<version>.tgz named @pipedai/orchestrator', () => {
    const { version } = z
      .object({ version: z.string() })
      .parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, npm_config_loglevel: 'silent' },
    });
    const [packed] = PackResult.parse(JSON.parse(out));
    expect(packed).toMatchObject({
      name: '@pipedai/orchestrator',
      version,
      filename: `pipedai-orchestrator-${version}.tgz`,
    });
    expect(version).toMatch(/^0\.\d+\.\d+$/);
  });
});
