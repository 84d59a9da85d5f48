// Fault 5: a damaged manifest or credentials file. `start` must refuse with an error that names
// the file (and the field, for a schema error), never quote a secret, keep the file exactly as
// it was plus a private copy beside it, and leave nothing behind (no lock, no port, no worker),
// so that once the operator repairs the file the next start just works.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnDaemon } from './support/daemon.ts';
import { createFixture, type Fixture } from './support/fixture.ts';
import { runProcessesByConfig } from './support/procfs.ts';

const secret = (prefix: string): string => `${prefix}_${randomBytes(32).toString('base64url')}`;

interface Case {
  name: string;
  file: 'manifest' | 'credentials';
  content: () => string;
  /** What the error must say besides the file's path. */
  says: RegExp;
  /** Secrets inside the damaged content: none may be printed. */
  secrets: string[];
}

const oct = secret('oct');
const pwk = secret('pwk');
const cases: Case[] = [
  {
    name: 'a manifest cut off mid-write',
    file: 'manifest',
    content: () => '{"version": 1, "workers": [{"id": "w1", "label": "one"',
    says: /not valid JSON \(unexpected end of input at line 1 column \d+/,
    secrets: [],
  },
  {
    name: 'a manifest entry with a bad field',
    file: 'manifest',
    content: () =>
      JSON.stringify({
        version: 1,
        workers: [
          {
            id: 'w1',
            label: 'one',
            apiUrl: 'not a url',
            configPath: '/nowhere/w1.json',
            mode: 'workspace',
            desiredState: 'enabled',
          },
        ],
      }),
    says: /is invalid: workers\[0\]\.apiUrl: /,
    secrets: [],
  },
  {
    name: 'credentials cut off in the middle of a token',
    file: 'credentials',
    content: () => `{"version":1,"localToken":"${oct}","operators":{"http://127.0.0.1:9":"${pwk}`,
    says: /not valid JSON \(unexpected end of input/,
    secrets: [oct, pwk],
  },
  {
    name: 'credentials whose local token has the wrong kind',
    file: 'credentials',
    content: () =>
      JSON.stringify({ version: 1, localToken: pwk, operators: { 'http://127.0.0.1:9': oct } }),
    says: /is invalid: localToken: /,
    secrets: [oct, pwk],
  },
];

describe('fault: corrupt manifest and credentials', () => {
  let fx: Fixture;

  beforeAll(async () => {
    fx = await createFixture({ workers: 1 });
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  const pathOf = (file: Case['file']): string =>
    file === 'manifest' ? fx.paths.manifest : fx.paths.credentials;

  it.each(cases)('refuses to start on $name, naming the file, and keeps it', async (c) => {
    const file = pathOf(c.file);
    const good = await readFile(file);
    const bad = Buffer.from(c.content());
    await writeFile(file, bad, { mode: 0o600 });
    try {
      const run = await runCli(['start', '--port', '0'], fx.env(), 30_000);
      expect(run.signal).toBeNull(); // it ended by itself: no hang
      expect(run.code).toBe(1);
      expect(run.stdout).not.toMatch(/listening/);
      expect(run.stderr).toContain(file);
      expect(run.stderr).toMatch(c.says);
      expect(run.stderr).toMatch(/a copy is kept at .*\.corrupt-/);
      for (const s of [...c.secrets, ...fx.secrets]) {
        expect(run.stderr).not.toContain(s);
        expect(run.stdout).not.toContain(s);
      }
      // The file is untouched, and a private copy of it sits beside it.
      expect((await readFile(file)).equals(bad)).toBe(true);
      const copies = (await readdir(dirname(file))).filter((n) =>
        n.startsWith(`${c.file}.json.corrupt-`),
      );
      const kept = await Promise.all(copies.map((n) => readFile(join(dirname(file), n))));
      const copy = copies[kept.findIndex((b) => b.equals(bad))];
      expect(copy).toBeDefined();
      expect((await stat(join(dirname(file), copy as string))).mode & 0o777).toBe(0o600);
      // Nothing left behind: no owner lock, no runtime record, no worker.
      await expect(stat(fx.paths.ownerLock)).rejects.toThrow(/ENOENT/);
      await expect(stat(fx.paths.runtimeRecord)).rejects.toThrow(/ENOENT/);
      const runs = await runProcessesByConfig();
      for (const w of fx.workers) expect(runs.get(w.configPath) ?? []).toEqual([]);
    } finally {
      await writeFile(file, good, { mode: 0o600 });
    }
  });

  it('starts normally once the operator has repaired the file', async () => {
    const daemon = await spawnDaemon(fx.env());
    try {
      expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      expect(await daemon.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
