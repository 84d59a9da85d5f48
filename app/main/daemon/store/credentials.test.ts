import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialsStore } from './credentials.ts';
import { StateFileError } from './json-file.ts';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedai-credentials-'));
  path = join(dir, 'orchestrator', 'credentials.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

describe('CredentialsStore', () => {
  it('creates the file on first need with a fresh oct_ token, 0600 in a 0700 folder', async () => {
    const store = new CredentialsStore(path);
    expect(await store.operatorToken('https://api.example.test')).toBeNull(); // reading creates nothing
    const token = await store.localToken();
    expect(token).toMatch(/^oct_[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      version: 1,
      localToken: token,
      operators: {},
      poolReadTokens: {},
    });
    expect(await modeOf(path)).toBe(0o600);
    expect(await modeOf(join(dir, 'orchestrator'))).toBe(0o700);
  });

  it('keeps the local token stable across objects and concurrent first uses', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => new CredentialsStore(path).localToken()),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(await new CredentialsStore(path).localToken()).toBe(tokens[0]);
    expect(await new CredentialsStore(join(dir, 'other.json')).localToken()).not.toBe(tokens[0]);
  });

  it('stores operator and pool-read tokens under the normalised apiUrl', async () => {
    const store = new CredentialsStore(path);
    await store.setOperatorToken('https://api.example.test//', 'hos_one');
    await store.setPoolReadToken(' https://api.example.test/ ', 'pop_two');
    expect(await store.operatorToken('https://api.example.test')).toBe('hos_one');
    expect(await store.poolReadToken('https://api.example.test///')).toBe('pop_two');
    expect(await store.poolReadToken('https://other.example.test')).toBeNull();
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved.operators).toEqual({ 'https://api.example.test': 'hos_one' });
    expect(saved.poolReadTokens).toEqual({ 'https://api.example.test': 'pop_two' });
    expect(saved.localToken).toMatch(/^oct_/);
  });

  it('reads an existing file as it is: no rewrite, byte for byte', async () => {
    await mkdir(join(dir, 'orchestrator'));
    const text = '{"version":1,"localToken":"oct_kept","operators":{},"poolReadTokens":{}}';
    await writeFile(path, text);
    expect(await new CredentialsStore(path).localToken()).toBe('oct_kept');
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('reads an older file without poolReadTokens', async () => {
    await mkdir(join(dir, 'orchestrator'));
    const old = { version: 1, localToken: 'oct_old', operators: { 'https://a.test': 'pwk_x' } };
    await writeFile(path, JSON.stringify(old));
    const store = new CredentialsStore(path);
    expect(await store.localToken()).toBe('oct_old');
    expect(await store.poolReadToken('https://a.test')).toBeNull();
    await store.setPoolReadToken('https://a.test', 'pop_y');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      ...old,
      poolReadTokens: { 'https://a.test': 'pop_y' },
    });
  });

  it.each([
    [
      'bad JSON',
      '{"version": 1, "localToken": "oct_SECRETSECRET", "operators": {"https://a.test": pwk_SECRET2}}',
    ],
    [
      'a bad field',
      '{"version": 1, "localToken": "xoct_SECRETSECRET", "operators": {"https://a.test": "pwk_SECRET2"}}',
    ],
    [
      'a bad token value',
      '{"version": 1, "localToken": "oct_SECRETSECRET", "operators": {"https://a.test": 5}}',
    ],
  ])('never puts a token in the error for %s', async (_, content) => {
    await mkdir(join(dir, 'orchestrator'));
    await writeFile(path, content);
    const store = new CredentialsStore(path);
    for (const attempt of [
      store.localToken(),
      store.setOperatorToken('https://a.test', 'pwk_NEWSECRET'),
    ]) {
      const err = await attempt.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateFileError);
      const text = `${(err as Error).message} ${JSON.stringify(err)}`;
      expect(text).toContain(path);
      expect(text).not.toMatch(/SECRET/);
    }
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('refuses an empty token without echoing anything secret', async () => {
    const store = new CredentialsStore(path);
    const err = await store.setOperatorToken('https://a.test', '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateFileError);
    expect((err as StateFileError).field).toBe('operators.https://a.test');
    expect((err as Error).message).not.toContain((await store.ensure()).localToken);
  });
});
