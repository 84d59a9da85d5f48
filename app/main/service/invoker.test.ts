import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { handBack, parsePasswdEntry, sudoInvoker } from './invoker.ts';

const ALICE = 'alice:x:1001:1002:Alice,,,:/home/alice:/bin/bash\n';

describe('the user behind sudo', () => {
  it('reads name, uid, gid and home from a getent passwd line', () => {
    expect(parsePasswdEntry(ALICE)).toEqual({
      name: 'alice',
      uid: 1001,
      gid: 1002,
      home: '/home/alice',
    });
    expect(() => parsePasswdEntry('alice:x:1001:1002::relative/home:/bin/sh')).toThrow(
      /getent passwd/,
    );
    expect(() => parsePasswdEntry('garbage')).toThrow(/getent passwd/);
  });

  it('is the SUDO_USER when root, nobody otherwise', () => {
    const lookup = (name: string) => (name === 'alice' ? ALICE : null);
    expect(sudoInvoker({ SUDO_USER: 'alice' }, true, lookup)?.home).toBe('/home/alice');
    expect(sudoInvoker({ SUDO_USER: 'alice' }, false, lookup)).toBeNull();
    expect(sudoInvoker({}, true, lookup)).toBeNull();
    expect(sudoInvoker({ SUDO_USER: 'root' }, true, lookup)).toBeNull();
    expect(() => sudoInvoker({ SUDO_USER: 'ghost' }, true, lookup)).toThrow(
      /ghost, who has no entry in `getent passwd ghost`/,
    );
    expect(() => sudoInvoker({ SUDO_USER: 'a\nb' }, true, lookup)).toThrow(
      /SUDO_USER: not a valid user name/,
    );
  });
});

describe.runIf(process.getuid?.() === 0)('handBack (as root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipedai-handback-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the folder and all under it to the user, symlinks not followed, modes kept', async () => {
    const home = join(dir, 'state');
    mkdirSync(join(home, 'orchestrator'), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, 'orchestrator', 'credentials.json'), '{}', { mode: 0o600 });
    const outside = join(dir, 'outside');
    writeFileSync(outside, '');
    symlinkSync(outside, join(home, 'link'));
    const user = { name: 'u', uid: 4242, gid: 4343, home: dir };
    expect(await handBack(home, user)).toBe(4);
    for (const p of [home, join(home, 'orchestrator', 'credentials.json'), join(home, 'link')])
      expect(lstatSync(p)).toMatchObject({ uid: 4242, gid: 4343 });
    expect(lstatSync(join(home, 'orchestrator', 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(lstatSync(outside).uid).toBe(0);
    expect(await handBack(join(dir, 'missing'), user)).toBe(0);
  });
});
