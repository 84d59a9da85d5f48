// UI preferences of the desktop app (window bounds), kept by electron-store in Electron's
// userData folder. Only UI state lives here: the manifest and credentials stay in the daemon's
// store under PIPEDAI_HOME.
import Store from 'electron-store';
import type { Rect } from './logic/bounds.ts';

export interface UiPrefs {
  /** As stored: unknown until parsed (restoreBounds parses it). */
  windowBounds(): unknown;
  setWindowBounds(bounds: Rect): void;
}

export function openUiPrefs(): UiPrefs {
  // A preferences file that fails to parse is reset: it only holds window placement.
  const store = new Store<{ windowBounds?: Rect }>({
    name: 'ui-preferences',
    clearInvalidConfig: true,
  });
  return {
    windowBounds: () => store.get('windowBounds'),
    setWindowBounds: (bounds) => store.set('windowBounds', bounds),
  };
}
