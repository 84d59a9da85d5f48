import { describe, expect, it } from 'vitest';
import { CommandError } from '../../../shared/index.ts';
import { pairingApiUrl, pairingChoice, pairingDialog } from './pairing.ts';
import { parseShellEnv } from './shell-env.ts';
import { worker } from './test-support.ts';

describe('shell environment', () => {
  it('reads the knobs; blank is unset', () => {
    expect(parseShellEnv({})).toEqual({
      controlPort: undefined,
      userDataDir: undefined,
      apiUrl: undefined,
    });
    expect(
      parseShellEnv({
        PIPEDAI_CONTROL_PORT: ' 0 ',
        PIPEDAI_USER_DATA_DIR: '/tmp/ud',
        PIPEDAI_API_URL: 'http://127.0.0.1:4600/',
      }),
    ).toEqual({ controlPort: 0, userDataDir: '/tmp/ud', apiUrl: 'http://127.0.0.1:4600' });
    expect(parseShellEnv({ PIPEDAI_CONTROL_PORT: '  ' }).controlPort).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ PIPEDAI_CONTROL_PORT: '70000' }, 'PIPEDAI_CONTROL_PORT'],
      [{ PIPEDAI_CONTROL_PORT: 'http' }, 'PIPEDAI_CONTROL_PORT'],
      [{ PIPEDAI_USER_DATA_DIR: 'relative/dir' }, 'PIPEDAI_USER_DATA_DIR'],
      [{ PIPEDAI_API_URL: 'not a url' }, 'PIPEDAI_API_URL'],
    ];
    for (const [env, field] of cases) {
      let err: unknown;
      try {
        parseShellEnv(env);
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(CommandError);
      expect((err as CommandError).field).toBe(field);
      expect((err as CommandError).message).toContain(field);
    }
  });
});

describe('Connect this host', () => {
  it('pairs with the configured API, else the one the workers use, else production', () => {
    expect(pairingApiUrl('http://127.0.0.1:4600', [worker('a', 'running')])).toBe(
      'http://127.0.0.1:4600',
    );
    expect(
      pairingApiUrl(undefined, [
        worker('p', 'running', { mode: 'pool', apiUrl: 'https://pool.example/' }),
        worker('a', 'running', { apiUrl: 'https://staging.pipedai.app/' }),
      ]),
    ).toBe('https://staging.pipedai.app');
    expect(pairingApiUrl(undefined, [])).toBe('https://api.pipedai.app');
    expect(pairingApiUrl(undefined, null)).toBe('https://api.pipedai.app');
  });

  it('shows the code to compare and maps the buttons', () => {
    const p = {
      pairingId: 'p1',
      userCode: 'WDJB-MJHT',
      verificationUri: 'https://app.pipedai.app/device',
      verificationUriComplete: 'https://app.pipedai.app/device?user_code=WDJB-MJHT',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    };
    const opened = pairingDialog(p, true);
    expect(opened.message).toBe('Approve code WDJB-MJHT');
    expect(opened.detail).toContain('open in your browser');
    expect(opened.detail).toContain('expires at');
    expect(pairingDialog(p, false).detail).toContain('Open https://app.pipedai.app/device');
    expect(pairingDialog({ ...p, expiresAt: 'soon' }, true).detail).not.toContain('expires');
    expect(opened.buttons.map((_, i) => pairingChoice(i))).toEqual(['close', 'reopen', 'cancel']);
  });
});
