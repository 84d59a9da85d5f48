// The viewer's small choices in the page's localStorage (the browser's origin, or the desktop
// window's app:// one); a page that refuses storage keeps them for the visit only.
import { memoryPrefs, type Prefs } from './store/index.ts';

/** The page's localStorage; reading it throws where the origin may not store. */
function localStorageOrNone(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export function pagePrefs(storage: Storage | undefined = localStorageOrNone()): Prefs {
  const fallback = memoryPrefs();
  return {
    get(key) {
      try {
        return storage?.getItem(key) ?? fallback.get(key);
      } catch {
        return fallback.get(key);
      }
    },
    set(key, value) {
      fallback.set(key, value);
      try {
        storage?.setItem(key, value);
      } catch {
        // Storage full or refused: the choice lasts for this visit.
      }
    },
  };
}
