// The window adapter with Electron replaced by recorders: the app:// handler serves the bundle
// with the CSP, every web contents is guarded, the window is hardened, destroyed on close and
// re-created on demand with its remembered bounds.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from './logic/window.ts';

type Handler = (...args: never[]) => unknown;

const h = vi.hoisted(() => {
  const appHandlers = new Map<string, Handler>();
  const opened: string[] = [];
  const windows: FakeWindow[] = [];
  const privileged: unknown[] = [];
  let protocolHandler: ((req: { url: string }) => Promise<Response>) | null = null;
  let permissionRequest: Handler | null = null;
  let permissionCheck: Handler | null = null;
  class FakeWindow {
    options: Record<string, unknown>;
    handlers = new Map<string, Handler[]>();
    loaded: string[] = [];
    shown = 0;
    destroyed = false;
    webContents = {
      id: 40 + windows.length,
      sent: [] as unknown[][],
      send(...a: unknown[]) {
        this.sent.push(a);
      },
    };
    constructor(options: Record<string, unknown>) {
      this.options = options;
      windows.push(this);
    }
    on(e: string, fn: Handler) {
      this.handlers.set(e, [...(this.handlers.get(e) ?? []), fn]);
      return this;
    }
    once(e: string, fn: Handler) {
      return this.on(e, fn);
    }
    emit(e: string) {
      for (const fn of this.handlers.get(e) ?? []) (fn as () => void)();
    }
    async loadURL(url: string) {
      this.loaded.push(url);
    }
    show() {
      this.shown++;
    }
    focus() {}
    isMinimized() {
      return false;
    }
    restore() {}
    isDestroyed() {
      return this.destroyed;
    }
    getNormalBounds() {
      return { x: 10, y: 20, width: 900, height: 700 };
    }
    setProgressBar() {}
  }
  return {
    appHandlers,
    /** app.isPackaged */
    packaged: false,
    opened,
    windows,
    privileged,
    FakeWindow,
    get protocolHandler() {
      return protocolHandler;
    },
    set protocolHandler(v) {
      protocolHandler = v;
    },
    get permissionRequest() {
      return permissionRequest;
    },
    set permissionRequest(v) {
      permissionRequest = v;
    },
    get permissionCheck() {
      return permissionCheck;
    },
    set permissionCheck(v) {
      permissionCheck = v;
    },
    /** The system browser refuses every URL (no handler). */
    refuseOpen: false,
  };
});

vi.mock('electron', () => ({
  app: {
    on: (e: string, fn: Handler) => h.appHandlers.set(e, fn),
    get isPackaged() {
      return h.packaged;
    },
  },
  BrowserWindow: h.FakeWindow,
  protocol: {
    registerSchemesAsPrivileged: (s: unknown[]) => h.privileged.push(...s),
    handle: (_scheme: string, fn: (req: { url: string }) => Promise<Response>) => {
      h.protocolHandler = fn;
    },
  },
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (fn: Handler) => (h.permissionRequest = fn),
      setPermissionCheckHandler: (fn: Handler) => (h.permissionCheck = fn),
    },
  },
  shell: {
    openExternal: async (url: string) => {
      if (h.refuseOpen) throw new Error('no handler for this URL');
      h.opened.push(url);
    },
  },
}));

const { createWindowController, hardenSessions, registerAppScheme, serveDashboard } =
  await import('./window.ts');

describe('dashboard scheme', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'renderer-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>PipedAI Orchestrator</title>');
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(root, '..', 'outside.js'), 'secret');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(join(root, '..', 'outside.js'), { force: true });
  });

  it('registers app:// as a standard, secure scheme', () => {
    registerAppScheme();
    expect(h.privileged).toEqual([
      {
        scheme: 'app',
        privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
      },
    ]);
  });

  it('serves the bundle with the CSP, falls back to index.html, refuses the rest', async () => {
    serveDashboard(root);
    const get = (url: string) => h.protocolHandler!({ url });
    const page = await get('app://dashboard/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('PipedAI Orchestrator');
    const js = await get('app://dashboard/assets/app.js');
    expect([js.status, js.headers.get('content-type')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    expect((await get('app://dashboard/workers/w-1')).status).toBe(200);
    expect((await get('app://dashboard/..%2foutside.js')).status).toBe(403);
    expect((await get('app://dashboard/missing.js')).status).toBe(404);
    expect((await get('app://evil/index.html')).status).toBe(404);
  });
});

describe('hardened sessions and web contents', () => {
  const logged: string[] = [];
  hardenSessions(['app://dashboard'], (line) => logged.push(line));
  type RequestHandler = (
    wc: unknown,
    p: string,
    cb: (ok: boolean) => void,
    d: { requestingUrl: string; isMainFrame: boolean },
  ) => void;
  type CheckHandler = (
    wc: unknown,
    p: string,
    origin: string,
    d: { requestingUrl?: string; isMainFrame: boolean },
  ) => boolean;
  const request = (p: string, requestingUrl: string, isMainFrame = true): boolean => {
    let answer: boolean | null = null;
    (h.permissionRequest as RequestHandler)(null, p, (ok) => (answer = ok), {
      requestingUrl,
      isMainFrame,
    });
    return answer!;
  };

  it('denies every permission but the clipboard write, to our own page', () => {
    const page = 'app://dashboard/index.html';
    expect(request('media', page)).toBe(false);
    expect(request('clipboard-read', page)).toBe(false);
    expect(request('clipboard-sanitized-write', page)).toBe(true);
    expect(request('clipboard-sanitized-write', page, false)).toBe(false);
    expect(request('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    const check = h.permissionCheck as CheckHandler;
    expect(check(null, 'clipboard-sanitized-write', 'app://dashboard', { isMainFrame: true })).toBe(
      true,
    );
    expect(check(null, 'notifications', 'app://dashboard', { isMainFrame: true })).toBe(false);
    expect(
      check(null, 'clipboard-sanitized-write', 'https://evil.example', { isMainFrame: true }),
    ).toBe(false);
  });

  it('blocks navigation away and new windows; https links go to the browser', () => {
    const on = new Map<string, Handler>();
    let openHandler: ((d: { url: string }) => unknown) | null = null;
    const contents = {
      on: (e: string, fn: Handler) => on.set(e, fn),
      setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => (openHandler = fn),
    };
    (h.appHandlers.get('web-contents-created') as (e: unknown, c: unknown) => void)({}, contents);
    const navigate = (event: string, url: string): boolean => {
      let prevented = false;
      (on.get(event) as (e: unknown, url: string) => void)(
        { preventDefault: () => (prevented = true) },
        url,
      );
      return prevented;
    };
    h.opened.length = 0;
    expect(navigate('will-navigate', 'app://dashboard/index.html#logs=w')).toBe(false);
    expect(navigate('will-navigate', 'https://pipedai.app/docs')).toBe(true);
    expect(navigate('will-redirect', 'http://example.com/')).toBe(true);
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate('will-attach-webview', 'app://dashboard/')).toBe(true);
    expect(openHandler!({ url: 'https://github.com/pipedai' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'app://dashboard/index.html' })).toEqual({ action: 'deny' });
    expect(h.opened).toEqual(['https://pipedai.app/docs', 'https://github.com/pipedai']);
  });

  it('a browser that refuses a link is logged, never an unhandled rejection', async () => {
    let openHandler: ((d: { url: string }) => unknown) | null = null;
    const contents = {
      on: () => undefined,
      setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => (openHandler = fn),
    };
    (h.appHandlers.get('web-contents-created') as (e: unknown, c: unknown) => void)({}, contents);
    h.refuseOpen = true;
    try {
      openHandler!({ url: 'https://pipedai.app/help' });
      await vi.waitFor(() => expect(logged.join('\n')).toContain('https://pipedai.app/help'));
    } finally {
      h.refuseOpen = false;
    }
  });
});

describe('window controller', () => {
  it('creates a hardened window, destroys it on close and re-creates it with its bounds', () => {
    const stored: unknown[] = [];
    const shown: boolean[] = [];
    const windows = createWindowController({
      preload: '/app/out/preload/index.cjs',
      prefs: { windowBounds: () => stored.at(-1), setWindowBounds: (b) => void stored.push(b) },
      icon: '/app/build/icon.png',
      onShownChange: (s) => shown.push(s),
    });
    expect(windows.webContentsId()).toBeNull();
    windows.show();
    const first = h.windows.at(-1)!;
    expect(first.options).toMatchObject({
      width: 1100,
      height: 760,
      show: false,
      webPreferences: {
        preload: '/app/out/preload/index.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        disableBlinkFeatures: 'Auxclick',
        // The fake app is not packaged: developer tools stay available.
        devTools: true,
      },
    });
    expect(first.loaded).toEqual(['app://dashboard/index.html']);
    first.emit('ready-to-show');
    expect(first.shown).toBe(1);
    expect(windows.webContentsId()).toBe(first.webContents.id);

    windows.show({ logs: 'w-1' });
    expect(first.loaded.at(-1)).toBe('app://dashboard/index.html#logs=w-1');
    windows.send('pipedai:frame', { kind: 'dropped', dropped: 1 });
    expect(first.webContents.sent).toEqual([['pipedai:frame', { kind: 'dropped', dropped: 1 }]]);

    first.emit('close');
    first.destroyed = true;
    first.emit('closed');
    expect(stored).toEqual([{ x: 10, y: 20, width: 900, height: 700 }]);
    expect(windows.webContentsId()).toBeNull();
    windows.send('pipedai:frame', {}); // no window: dropped, no throw

    windows.show();
    const second = h.windows.at(-1)!;
    expect(second).not.toBe(first);
    expect(second.options).toMatchObject({ x: 10, y: 20, width: 900, height: 700 });
    expect(shown).toEqual([true, true, false, true]);
  });
});

describe('a packaged app', () => {
  it('has no developer tools', () => {
    h.packaged = true;
    try {
      const windows = createWindowController({
        preload: '/app/out/preload/index.cjs',
        prefs: { windowBounds: () => undefined, setWindowBounds: () => undefined },
        icon: '/app/build/icon.png',
        onShownChange: () => undefined,
      });
      windows.show();
      expect(h.windows.at(-1)!.options.webPreferences).toMatchObject({
        devTools: false,
        contextIsolation: true,
        sandbox: true,
      });
    } finally {
      h.packaged = false;
    }
  });
});
