// The login-shell probe against a fake login shell (a real script): the answer, rc-file noise
// around it, and every way it can go wrong (slow, garbage, huge output, non-zero exit, missing).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLoginEnv } from './login-env.ts';
import { loginEnvSkip } from './logic/login-env.ts';

const dir = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'login-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A "login shell" that behaves per FAKE_MODE; `$2` is the command after -ilc. */
function fakeShell(): string {
  const path = join(dir, 'fake-shell');
  writeFileSync(
    path,
    `#!/bin/sh
case "$FAKE_MODE" in
  ok) export FROM_PROFILE=yes PATH="/opt/tools/bin:$PATH" ANTHROPIC_API_KEY=sk-test; exec /bin/sh -c "$2" ;;
  noisy) echo "Welcome back!"; export FROM_PROFILE=noisy; /bin/sh -c "$2"; echo "bye" ;;
  slow) sleep 30 ;;
  garbage) echo '{"not": "marked"}' ;;
  huge) head -c 3000000 /dev/zero | tr '\\0' x ;;
  fail) /bin/sh -c "$2"; exit 3 ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}

const shell = fakeShell();
const probe = (mode: string, timeoutMs = 5_000) =>
  resolveLoginEnv({
    platform: 'linux',
    env: { SHELL: shell, FAKE_MODE: mode, PATH: '/usr/bin:/bin', PIPEDAI_HOME: '/app/home' },
    execPath: process.execPath,
    nodeEnv: {},
    timeoutMs,
  });

describe('login shell environment', () => {
  it('takes the environment the login shell gives, over the inherited one', async () => {
    const r = await probe('ok');
    expect(r.environment).toEqual({ source: 'login-shell', note: null });
    expect(r.env).toMatchObject({ FROM_PROFILE: 'yes', ANTHROPIC_API_KEY: 'sk-test' });
    expect(r.env.PATH).toBe('/opt/tools/bin:/usr/bin:/bin');
    expect(r.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it('finds the answer between what rc files print around it', async () => {
    expect((await probe('noisy')).env.FROM_PROFILE).toBe('noisy');
  });

  it.each([
    ['garbage', /had no environment in it/],
    ['huge', /printed more than 1 MiB/],
    ['fail', /exited with code 3/],
  ])('falls back to the inherited environment on %s, and says why', async (mode, why) => {
    const r = await probe(mode);
    expect(r.environment.source).toBe('inherited');
    expect(r.environment.note).toMatch(why);
    expect(r.env.FAKE_MODE).toBe(mode);
    expect(r.env.FROM_PROFILE).toBeUndefined();
  });

  it('gives up on a slow shell after the timeout, killing it', async () => {
    const began = Date.now();
    const r = await probe('slow', 500);
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(r.environment.note).toMatch(/did not answer within 0\.5 s/);
  });

  it('a shell that cannot start, Windows and the off switch keep the inherited environment', async () => {
    const missing = await resolveLoginEnv({
      platform: 'darwin',
      env: { SHELL: join(dir, 'no-such-shell') },
      execPath: process.execPath,
      nodeEnv: {},
    });
    expect(missing.environment.note).toMatch(/could not be started/);
    expect(loginEnvSkip('win32', {})).toBe('windows');
    expect(loginEnvSkip('darwin', { PIPEDAI_LOGIN_SHELL_ENV: '0' })).toBe('disabled');
    expect(loginEnvSkip('darwin', {})).toBeNull();
  });
});
