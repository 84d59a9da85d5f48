import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readWorkerConfig, writeWorkerConfig } from './config.ts';

const TOKEN = 'wkt_supersecretvalue123';
const config = {
  workerId: 'w-1',
  workerToken: TOKEN,
  apiUrl: 'http://127.0.0.1:9',
  workspaceId: 'ws_1',
  isPool: false,
};
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'sim-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('worker config', () => {
  it('is written pretty, 0600, in a new 0700 folder, with no temp file left; and read back', async () => {
    const path = join(dir, 'orchestrator', 'workers', 'a.json');
    await writeWorkerConfig(path, config);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'orchestrator', 'workers')).mode & 0o777).toBe(0o700);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(config, null, 2)}\n`);
    expect(readdirSync(join(dir, 'orchestrator', 'workers'))).toEqual(['a.json']);
    await expect(readWorkerConfig(path)).resolves.toMatchObject(config);
  });

  it('replaces an existing file atomically and keeps 0600', async () => {
    const path = join(dir, 'a.json');
    writeFileSync(path, 'old', { mode: 0o644 });
    await writeWorkerConfig(path, { ...config, workerId: 'w-2' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await expect(readWorkerConfig(path)).resolves.toMatchObject({ workerId: 'w-2' });
  });

  it.each([
    [{ ...config, workerToken: undefined }, 'workerToken'],
    [{ ...config, workerToken: 'wrk_nope' }, 'workerToken: must be a wkt_ token'],
    [{ ...config, apiUrl: 'not a url' }, 'apiUrl'],
    [{ ...config, workerId: '../escape' }, 'workerId'],
  ])('names the bad field of %j', async (content, field) => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify(content));
    await expect(readWorkerConfig(path)).rejects.toThrow(field);
  });

  it('reports a missing file or broken JSON without quoting the content', async () => {
    await expect(readWorkerConfig(join(dir, 'none.json'))).rejects.toThrow('ENOENT');
    const path = join(dir, 'broken.json');
    writeFileSync(path, `{"workerToken": "${TOKEN}",`);
    const error = await readWorkerConfig(path).catch((e: unknown) => e);
    expect(String(error)).toContain('not valid JSON');
    expect(String(error)).not.toContain('supersecret');
  });
});
