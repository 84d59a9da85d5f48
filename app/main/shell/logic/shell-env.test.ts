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
    expect(parseShellEnv({ PIPEDAI_CONTROL_PORT: '4600' }).controlPort).toBe(4600);
    // Blanks around a value are not part of it.
    expect(parseShellEnv({ PIPEDAI_USER_DATA_DIR: ' /tmp/ud ' }).userDataDir).toBe('/tmp/ud');
  });

  it('takes an http(s) update feed, and nothing else', () => {
    for (const url of ['https://updates.example.com/feed/', 'http://127.0.0.1:8080/'])
      expect(parseShellEnv({ PIPEDAI_UPDATE_URL: url }).updateUrl).toBe(url);
    for (const url of ['ftp://updates.example.com/', 'git+https://example.com/f', 'httpx://h/'])
      expect(() => parseShellEnv({ PIPEDAI_UPDATE_URL: url }), url).toThrow(
        /PIPEDAI_UPDATE_URL.*must be an http\(s\) URL/,
      );
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
      expect((err as CommandError).code).toBe('bad-request');
      expect((err as CommandError).field).toBe(field);
      expect((err as CommandError).message).toContain(field);
    }
    expect(() => parseShellEnv({ PIPEDAI_USER_DATA_DIR: 'relative/dir' })).toThrow(
      'PIPEDAI_USER_DATA_DIR: must be an absolute path',
    );
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

  it('is the dialog the person reads: its title, its words and its buttons', () => {
    const p = {
      pairingId: 'p1',
      userCode: 'WDJB-MJHT',
      verificationUri: 'https://app.pipedai.app/device',
      verificationUriComplete: 'https://app.pipedai.app/device?user_code=WDJB-MJHT',
      expiresAt: 'soon',
    };
    expect(pairingDialog(p, false)).toEqual({
      type: 'info',
      title: 'Connect this host',
      message: 'Approve code WDJB-MJHT',
      detail:
        'Open https://app.pipedai.app/device in your browser and enter the code. Check that it shows WDJB-MJHT, then approve. This host appears in the tray once approved.',
      buttons: ['OK', 'Open the page again', 'Cancel pairing'],
      defaultId: 0,
      cancelId: 0,
    });
    // The expiry in hours and minutes, local time: 09:05 (9:05 AM…), never its seconds.
    const expiresAt = new Date(2026, 0, 1, 9, 5, 37).toISOString();
    const { detail } = pairingDialog({ ...p, expiresAt }, true);
    expect(detail).toMatch(/ The code expires at \D*0?9\D05\D*\.$/);
    expect(detail).not.toContain('37');
  });
});
