import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pathsFor } from '../paths.ts';
import { openStore } from './index.ts';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'pipedai-store-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('openStore', () => {
  it('keeps the manifest and the credentials of one PIPEDAI_HOME at their contract paths', async () => {
    const paths = pathsFor(home);
    const store = openStore(paths);
    expect(store.paths).toBe(paths);
    await store.manifest.add({
      id: 'w1',
      label: 'w1',
      apiUrl: 'https://api.example.test',
      configPath: join(home, 'w1.json'),
      mode: 'workspace',
      desiredState: 'enabled',
    });
    await store.credentials.localToken();
    expect(existsSync(paths.manifest)).toBe(true);
    expect(existsSync(paths.credentials)).toBe(true);
    expect(store.manifest.file.path).toBe(paths.manifest);
    expect(store.credentials.file.path).toBe(paths.credentials);
  });
});
