import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateFileError } from './json-file.ts';
import { readWorkerConfig, writeWorkerConfig } from './worker-config.ts';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedai-workercfg-'));
  path = join(dir, 'orchestrator', 'workers', 'my-host.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cfg = {
  workerId: 'wrk_1',
  workerToken: 'wkt_SECRET',
  apiUrl: 'https://api.example.test',
  workspaceId: 'ws_1',
};
const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

async function stateError(p: Promise<unknown>): Promise<StateFileError> {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StateFileError);
  return err as StateFileError;
}

describe('writeWorkerConfig', () => {
  it('writes exactly the five connect fields, pretty, 0600 in a 0700 folder, atomically', async () => {
    await writeWorkerConfig(path, { ...cfg, extra: 'dropped' } as typeof cfg);
    expect(await readFile(path, 'utf8')).toBe(
      '{\n  "workerId": "wrk_1",\n  "workerToken": "wkt_SECRET",\n  "apiUrl": "https://api.example.test",\n  "workspaceId": "ws_1",\n  "isPool": false\n}',
    );
    expect(await modeOf(path)).toBe(0o600);
    expect(await modeOf(join(dir, 'orchestrator', 'workers'))).toBe(0o700);
    expect(await readdir(join(dir, 'orchestrator', 'workers'))).toEqual(['my-host.json']);
  });

  it('refuses to overwrite an existing config unless told to', async () => {
    await writeWorkerConfig(path, cfg);
    const err = await stateError(writeWorkerConfig(path, { ...cfg, workerId: 'wrk_2' }));
    expect(err.message).toBe(`worker config ${path} already exists; refusing to overwrite it`);
    expect((await readWorkerConfig(path)).workerId).toBe('wrk_1');
    await writeWorkerConfig(path, { ...cfg, workerId: 'wrk_2' }, { overwrite: true });
    expect((await readWorkerConfig(path)).workerId).toBe('wrk_2');
  });

  it('rejects a bad field by name, without the token', async () => {
    const err = await stateError(
      writeWorkerConfig(path, { ...cfg, apiUrl: 'nope', workerToken: 'wkt_SECRET' }),
    );
    expect(err.field).toBe('apiUrl');
    expect(err.message).toMatch(
      new RegExp(`^refusing to write worker config ${path.replaceAll('.', '\\.')}: apiUrl: `),
    );
    expect(err.message).not.toContain('SECRET');
    expect((await stateError(writeWorkerConfig(path, { ...cfg, workerToken: '' }))).field).toBe(
      'workerToken',
    );
  });
});

describe('readWorkerConfig', () => {
  beforeEach(async () => {
    await mkdir(join(dir, 'orchestrator', 'workers'), { recursive: true });
  });

  it('reads the fields the orchestrator uses and passes the others through', async () => {
    await writeFile(path, JSON.stringify({ ...cfg, isPool: true, name: 'beta' }));
    expect(await readWorkerConfig(path)).toEqual({ ...cfg, isPool: true, name: 'beta' });
  });

  it.each([
    [
      'a missing field',
      JSON.stringify({ workerToken: 'wkt_SECRET', apiUrl: 'https://a.test' }),
      'workerId',
    ],
    ['a wrong type', JSON.stringify({ ...cfg, isPool: 'wkt_SECRET' }), 'isPool'],
    ['bad JSON', '{"workerId": "w", "workerToken": wkt_SECRET}', null],
    [
      'an id that cannot name a file',
      JSON.stringify({ ...cfg, workerId: 'a/../../b' }),
      'workerId',
    ],
  ])('names the file and field for %s and never echoes the token', async (_, content, field) => {
    await writeFile(path, content);
    const err = await stateError(readWorkerConfig(path));
    expect(err.message).toContain(path);
    expect(err.field).toBe(field);
    expect(err.message).not.toContain('SECRET');
  });

  it('says where the JSON goes wrong', async () => {
    await writeFile(path, '{"workerId": "w", "workerToken": wkt_SECRET}');
    const err = await stateError(readWorkerConfig(path));
    expect(err.message).toBe(
      `worker config ${path} is not valid JSON (unexpected character at line 1 column 34, position 33)`,
    );
  });

  it('reports a missing file by name', async () => {
    const err = await stateError(readWorkerConfig(join(dir, 'nope.json')));
    expect(err.message).toBe(`cannot read worker config ${join(dir, 'nope.json')} (ENOENT)`);
  });
});
