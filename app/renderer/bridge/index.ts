// Picks the door: the preload's API inside Electron, fetch + WebSocket in a browser.
import { createBrowserBridge } from './browser.ts';
import { createPreloadBridge } from './preload.ts';
import { bootstrapToken, forgetToken, type TokenStorage } from './token.ts';
import type { Bridge } from '../../shared/bridge.ts';

export type { Bridge, ConnectionState } from '../../shared/bridge.ts';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a browser. */
    pipedai?: Bridge;
  }
}

/** sessionStorage can be unavailable (storage disabled): fall back to memory for this page. */
function sessionStore(win: Window): TokenStorage {
  try {
    const s = win.sessionStorage;
    s.getItem('pipedai_probe');
    return s;
  } catch {
    const mem = new Map<string, string>();
    return {
      getItem: (k) => mem.get(k) ?? null,
      setItem: (k, v) => void mem.set(k, v),
      removeItem: (k) => void mem.delete(k),
    };
  }
}

export function getBridge(win: Window = window): Bridge {
  if (win.pipedai) return createPreloadBridge(win.pipedai);
  const storage = sessionStore(win);
  const token = bootstrapToken({
    href: win.location.href,
    storage,
    replaceUrl: (url) => win.history.replaceState(win.history.state, '', url),
  });
  return createBrowserBridge({
    baseUrl: win.location.origin,
    token,
    onUnauthorized: () => forgetToken(storage),
    onOnline: (cb) => {
      win.addEventListener('online', cb);
      return () => win.removeEventListener('online', cb);
    },
  });
}
