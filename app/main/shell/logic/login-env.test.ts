// The login-shell probe's decisions (the spawn is tested in ../login-env.test.ts): when not to
// probe, how to ask each shell, the command it runs, reading the answer out of what rc files
// print around it, and whose variables win.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  MAX_OUTPUT_BYTES,
  loginEnvSkip,
  loginShell,
  loginShellArgs,
  mergeLoginEnv,
  parseProbeOutput,
  probeCommand,
} from './login-env.ts';

const MARK = 'c0ffee';
const marked = (env: unknown): string => `${MARK}${JSON.stringify(env)}${MARK}`;

describe('whether to probe the login shell', () => {
  it('never on Windows, nor when turned off', () => {
    expect(loginEnvSkip('win32', { SHELL: '/bin/bash' })).toBe('windows');
    expect(loginEnvSkip('linux', { SHELL: '/bin/bash', PIPEDAI_LOGIN_SHELL_ENV: '0' })).toBe(
      'disabled',
    );
    expect(loginEnvSkip('darwin', { PIPEDAI_LOGIN_SHELL_ENV: '0' })).toBe('disabled');
  });

  it('not on Linux without a SHELL, but on macOS, whose default shell is zsh', () => {
    expect(loginEnvSkip('linux', {})).toBe('no-shell');
    expect(loginEnvSkip('linux', { SHELL: '' })).toBe('no-shell');
    expect(loginEnvSkip('darwin', {})).toBeNull();
    expect(loginEnvSkip('linux', { SHELL: '/bin/bash' })).toBeNull();
    expect(loginEnvSkip('linux', { SHELL: '/bin/bash', PIPEDAI_LOGIN_SHELL_ENV: '1' })).toBeNull();
    expect(loginShell({})).toBe('/bin/zsh');
    expect(loginShell({ SHELL: '' })).toBe('/bin/zsh');
    expect(loginShell({ SHELL: '/usr/bin/fish' })).toBe('/usr/bin/fish');
  });
});

describe('asking the shell', () => {
  it('asks each shell family the way it understands', () => {
    expect(loginShellArgs('/bin/zsh', 'x')).toEqual(['-ilc', 'x']);
    expect(loginShellArgs('/usr/bin/fish', 'x')).toEqual(['-ilc', 'x']);
    expect(loginShellArgs('bash', 'x')).toEqual(['-ilc', 'x']);
    expect(loginShellArgs('/bin/tcsh', 'x')).toEqual(['-ic', 'x']);
    expect(loginShellArgs('/bin/csh', 'x')).toEqual(['-ic', 'x']);
    expect(loginShellArgs('/usr/local/bin/pwsh', 'x')).toEqual(['-Login', '-Command', 'x']);
    // By its name, not by a folder that happens to be called like a shell.
    expect(loginShellArgs('/opt/csh/bin/bash', 'x')).toEqual(['-ilc', 'x']);
  });

  it('runs our Node on a one-line script, each quoted for the shell', () => {
    expect(probeCommand("/opt/it's/node", MARK)).toBe(
      `'/opt/it'\\''s/node' -e 'process.stdout.write("${MARK}" + JSON.stringify(process.env) + "${MARK}")'`,
    );
  });

  it('makes a command a real shell runs, whose output reads back as its environment', () => {
    const command = probeCommand(process.execPath, MARK);
    const run = spawnSync('/bin/sh', ['-c', `echo rc noise; ${command}; echo more noise`], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', FROM_PROFILE: "it's here", SHLVL: '3' },
    });
    expect(run.status).toBe(0);
    const parsed = parseProbeOutput(run.stdout, MARK);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.env.FROM_PROFILE).toBe("it's here");
    expect(parsed.env.PATH).toBe('/usr/bin:/bin');
    expect(parsed.env.SHLVL).toBeUndefined();
  });
});

describe('reading the answer', () => {
  it('finds the environment between the marks, whatever rc files print around it', () => {
    expect(parseProbeOutput(`Welcome!\n${marked({ A: '1', B: '' })}\nbye`, MARK)).toEqual({
      ok: true,
      env: { A: '1', B: '' },
    });
    expect(parseProbeOutput(marked({ A: '1' }), MARK)).toEqual({ ok: true, env: { A: '1' } });
  });

  it("drops the probe's own variables and the shell's per-process noise", () => {
    const env = {
      PATH: '/opt/bin:/usr/bin',
      ELECTRON_RUN_AS_NODE: '1',
      ELECTRON_NO_ATTACH_CONSOLE: '1',
      _: '/usr/bin/node',
      SHLVL: '2',
      PWD: '/home/op',
      OLDPWD: '/',
    };
    expect(parseProbeOutput(marked(env), MARK)).toEqual({
      ok: true,
      env: { PATH: '/opt/bin:/usr/bin' },
    });
  });

  it('says there is no environment when a mark is missing', () => {
    const none = { ok: false, reason: 'its output had no environment in it' };
    expect(parseProbeOutput('{"A":"1"}', MARK)).toEqual(none);
    expect(parseProbeOutput(`${MARK}{"A":"1"}`, MARK)).toEqual(none);
    expect(parseProbeOutput(`{"A":"1"}${MARK}`, MARK)).toEqual(none);
    // The mark's own characters do not count as its second copy.
    expect(parseProbeOutput('aaa{}', 'aa')).toEqual(none);
  });

  it('refuses what is between the marks unless it is a map of strings', () => {
    const unreadable = { ok: false, reason: 'its output was not a readable environment' };
    expect(parseProbeOutput(`${MARK}{"A":1}${MARK}`, MARK)).toEqual(unreadable);
    expect(parseProbeOutput(`${MARK}{"A":"1"${MARK}`, MARK)).toEqual(unreadable);
    expect(parseProbeOutput(`${MARK}["A"]${MARK}`, MARK)).toEqual(unreadable);
  });

  it('bounds what the shell may print at 1 MiB', () => {
    expect(MAX_OUTPUT_BYTES).toBe(1024 * 1024);
  });
});

describe("the workers' environment", () => {
  it("takes the shell's variables over the inherited ones", () => {
    expect(
      mergeLoginEnv(
        { PATH: '/usr/bin', HOME: '/home/op' },
        { PATH: '/opt/bin:/usr/bin', ANTHROPIC_API_KEY: 'sk-test' },
      ),
    ).toEqual({ PATH: '/opt/bin:/usr/bin', HOME: '/home/op', ANTHROPIC_API_KEY: 'sk-test' });
  });

  it("keeps the app's own PIPEDAI_* settings over the shell's, and takes the ones it lacks", () => {
    expect(
      mergeLoginEnv(
        { PIPEDAI_HOME: '/a', PATH: '/x', NO_PIPEDAI_: 'app' },
        { PIPEDAI_HOME: '/b', PIPEDAI_LOG_LEVEL: 'debug', PATH: '/y', NO_PIPEDAI_: 'shell' },
      ),
    ).toEqual({ PIPEDAI_HOME: '/a', PIPEDAI_LOG_LEVEL: 'debug', PATH: '/y', NO_PIPEDAI_: 'shell' });
  });

  it('does not change what the app inherited', () => {
    const inherited = { PATH: '/usr/bin' };
    mergeLoginEnv(inherited, { PATH: '/opt/bin' });
    expect(inherited).toEqual({ PATH: '/usr/bin' });
  });
});
