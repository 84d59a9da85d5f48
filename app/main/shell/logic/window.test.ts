import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appResponseHeaders, resolveAppFile } from './app-protocol.ts';
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  appPageUrl,
  dockVisible,
  externalHttpsUrl,
  isTrustedSender,
  navigationDecision,
  originOf,
  pairingPageUrl,
  permissionDecision,
  windowOpenDecision,
} from './window.ts';

const ORIGINS = [APP_ORIGIN];

describe('navigation and new windows', () => {
  it('stays on the dashboard page, including in-app fragments', () => {
    expect(navigationDecision('app://dashboard/index.html', ORIGINS)).toEqual({
      allow: true,
      openExternal: null,
    });
    expect(navigationDecision(appPageUrl({ logs: 'w 1' }), ORIGINS).allow).toBe(true);
    expect(appPageUrl({ logs: 'w 1/x' })).toBe('app://dashboard/index.html#logs=w%201%2Fx');
  });

  it('blocks every other navigation; an https link opens in the browser instead', () => {
    const cases: Array<[string, string | null]> = [
      ['https://pipedai.app/docs', 'https://pipedai.app/docs'],
      ['http://example.com/', null],
      ['file:///etc/passwd', null],
      ['javascript:alert(1)', null],
      ['app://other/index.html', null],
      ['https://user:pw@evil.example/', null],
      ['data:text/html,<script>1</script>', null],
      ['not a url', null],
    ];
    for (const [url, external] of cases) {
      expect(navigationDecision(url, ORIGINS), url).toEqual({
        allow: false,
        openExternal: external,
      });
      expect(windowOpenDecision(url), url).toEqual({ action: 'deny', openExternal: external });
    }
    // Even our own page never opens in a second window.
    expect(windowOpenDecision(appPageUrl())).toEqual({ action: 'deny', openExternal: null });
  });

  it('opens the pairing page over https, or plain http on this machine only', () => {
    expect(pairingPageUrl('https://app.pipedai.app/device?code=AB-CD')).toBe(
      'https://app.pipedai.app/device?code=AB-CD',
    );
    expect(pairingPageUrl('http://127.0.0.1:4600/device?user_code=X')).toBe(
      'http://127.0.0.1:4600/device?user_code=X',
    );
    expect(pairingPageUrl('http://localhost:4600/device')).toBe('http://localhost:4600/device');
    expect(pairingPageUrl('http://pipedai.app/device')).toBeNull();
    expect(pairingPageUrl('file:///tmp/x.html')).toBeNull();
    expect(pairingPageUrl('not a url')).toBeNull();
    expect(pairingPageUrl('http://[::1]:4600/device')).toBe('http://[::1]:4600/device');
    // Loopback, but not plain http, or with credentials: not opened.
    expect(pairingPageUrl('ftp://127.0.0.1/device')).toBeNull();
    expect(pairingPageUrl('http://user@127.0.0.1:4600/device')).toBeNull();
    expect(externalHttpsUrl('https://user@example.com/')).toBeNull();
    expect(externalHttpsUrl('https://:secret@example.com/')).toBeNull();
    expect(externalHttpsUrl('HTTPS://Example.COM/a')).toBe('https://example.com/a');
  });

  it('computes origins of custom schemes by hand', () => {
    expect(originOf('app://dashboard/index.html#x')).toBe('app://dashboard');
    expect(originOf('APP://Dashboard/')).toBe('app://dashboard');
    expect(originOf('http://127.0.0.1:5173/src')).toBe('http://127.0.0.1:5173');
    expect(originOf('file:///x')).toBeNull();
    expect(originOf('::')).toBeNull();
  });
});

describe('trusted IPC senders', () => {
  const ours = { webContentsId: 7, appOrigins: ORIGINS };
  const sender = { webContentsId: 7, frameUrl: 'app://dashboard/index.html', isMainFrame: true };

  it('trusts the main frame of our window on our page', () => {
    expect(isTrustedSender(sender, ours)).toBe(true);
    expect(isTrustedSender({ ...sender, frameUrl: appPageUrl({ logs: 'a' }) }, ours)).toBe(true);
  });

  it('refuses another web contents, a subframe, another page, a gone frame, or no window', () => {
    expect(isTrustedSender({ ...sender, webContentsId: 8 }, ours)).toBe(false);
    expect(isTrustedSender({ ...sender, isMainFrame: false }, ours)).toBe(false);
    expect(isTrustedSender({ ...sender, frameUrl: 'https://evil.example/' }, ours)).toBe(false);
    expect(isTrustedSender({ ...sender, frameUrl: 'file:///index.html' }, ours)).toBe(false);
    expect(isTrustedSender({ ...sender, frameUrl: null }, ours)).toBe(false);
    expect(isTrustedSender(sender, { ...ours, webContentsId: null })).toBe(false);
  });
});

describe('window hardening', () => {
  it('has a strict CSP: own scripts only, no inline or eval, no frames or plugins', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => {
        const [name, ...values] = d.split(' ');
        return [name, values.join(' ')] as const;
      }),
    );
    expect(Object.fromEntries(directives)).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'font-src': "'self' data:",
      'connect-src': "'self'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
      'frame-src': "'none'",
      'object-src': "'none'",
      'worker-src': "'none'",
    });
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('shows the macOS Dock icon only while a window is shown', () => {
    expect(dockVisible('darwin', true)).toBe(true);
    expect(dockVisible('darwin', false)).toBe(false);
    expect(dockVisible('win32', true)).toBeNull();
    expect(dockVisible('linux', false)).toBeNull();
  });
});

describe('app:// files', () => {
  const root = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'renderer-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('maps dashboard URLs into the bundle folder with their type', () => {
    expect(resolveAppFile('app://dashboard/index.html', root)).toEqual({
      kind: 'file',
      path: join(root, 'index.html'),
      mime: 'text/html; charset=utf-8',
    });
    expect(resolveAppFile('app://dashboard/assets/index-abc.js?v=1', root)).toMatchObject({
      path: join(root, 'assets', 'index-abc.js'),
      mime: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppFile('app://dashboard/a%20b.css', root)).toMatchObject({
      path: join(root, 'a b.css'),
      mime: 'text/css; charset=utf-8',
    });
  });

  it('falls back to index.html for app routes', () => {
    for (const url of ['app://dashboard/', 'app://dashboard', 'app://dashboard/workers/abc'])
      expect(resolveAppFile(url, root), url).toMatchObject({ path: join(root, 'index.html') });
  });

  it('never leaves the bundle folder and serves no other host', () => {
    // The URL parser folds dot segments (even encoded ones) before we see the path.
    expect(resolveAppFile('app://dashboard/%2e%2e/%2e%2e/etc/passwd.txt', root)).toMatchObject({
      path: join(root, 'etc', 'passwd.txt'),
    });
    // An encoded slash survives the parser: the decoded path would climb out.
    expect(resolveAppFile('app://dashboard/..%2f..%2fsecret.json', root)).toEqual({
      kind: 'error',
      status: 403,
    });
    expect(resolveAppFile('app://dashboard/%E0%A4%A.js', root)).toEqual({
      kind: 'error',
      status: 400,
    });
    expect(resolveAppFile('app://dashboard/a%00.js', root)).toEqual({ kind: 'error', status: 400 });
    expect(resolveAppFile('app://elsewhere/index.html', root)).toEqual({
      kind: 'error',
      status: 404,
    });
  });

  it('names the type of every file a built dashboard holds', () => {
    const types = {
      'index.html': 'text/html; charset=utf-8',
      'a.js': 'text/javascript; charset=utf-8',
      'a.mjs': 'text/javascript; charset=utf-8',
      'a.css': 'text/css; charset=utf-8',
      'a.json': 'application/json',
      'a.js.map': 'application/json',
      'a.svg': 'image/svg+xml',
      'a.png': 'image/png',
      'favicon.ico': 'image/x-icon',
      'a.woff2': 'font/woff2',
      'a.woff': 'font/woff',
      'LICENSE.txt': 'text/plain; charset=utf-8',
      'UPPER.PNG': 'image/png',
    };
    for (const [file, mime] of Object.entries(types))
      expect(resolveAppFile(`app://dashboard/assets/${file}`, root), file).toMatchObject({ mime });
  });

  it('refuses what is not an app://dashboard URL', () => {
    expect(resolveAppFile('not a url', root)).toEqual({ kind: 'error', status: 400 });
    expect(resolveAppFile('https://dashboard/index.html', root)).toEqual({
      kind: 'error',
      status: 404,
    });
  });

  it('reads extra leading slashes as the root, and serves unknown types as bytes', () => {
    expect(resolveAppFile('app://dashboard//assets/x.js', root)).toMatchObject({
      path: join(root, 'assets', 'x.js'),
    });
    expect(resolveAppFile('app://dashboard/%2F%5Cfavicon.ico', root)).toEqual({
      kind: 'file',
      path: join(root, 'favicon.ico'),
      mime: 'image/x-icon',
    });
    expect(resolveAppFile('app://dashboard/data.bin', root)).toEqual({
      kind: 'file',
      path: join(root, 'data.bin'),
      mime: 'application/octet-stream',
    });
  });

  it('sends the CSP and nosniff with every file', () => {
    expect(appResponseHeaders('text/html; charset=utf-8')).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
  });
});

describe('permissions', () => {
  const ask = (permission: string, url: string | undefined, isMainFrame = true) =>
    permissionDecision({ permission, url, isMainFrame }, ORIGINS);

  it("grants the clipboard write to our page's main frame (Copy code, Copy command)", () => {
    expect(ask('clipboard-sanitized-write', 'app://dashboard/index.html#logs=w')).toBe(true);
    // The check handler passes the origin alone.
    expect(ask('clipboard-sanitized-write', 'app://dashboard')).toBe(true);
  });

  it('never to another origin, a sub frame, or an unknown requester', () => {
    expect(ask('clipboard-sanitized-write', 'https://pipedai.app/')).toBe(false);
    expect(ask('clipboard-sanitized-write', 'app://evil/index.html')).toBe(false);
    expect(ask('clipboard-sanitized-write', 'file:///tmp/x.html')).toBe(false);
    expect(ask('clipboard-sanitized-write', 'app://dashboard/index.html', false)).toBe(false);
    expect(ask('clipboard-sanitized-write', undefined)).toBe(false);
  });

  it('denies everything else, our page included', () => {
    for (const p of ['clipboard-read', 'notifications', 'media', 'geolocation', 'openExternal'])
      expect(ask(p, 'app://dashboard/index.html'), p).toBe(false);
  });
});
