// UI preferences of the desktop app (window bounds), kept by electron-store in Electron's
// userData folder. Only UI state lives here: the manifest and credentials stay in the daemon's
// store under PIPEDAI_HOME.
import { ipcMain } from 'electron';
import Store from 'electron-store';
import type { Rect } from './logic/bounds.ts';

/**
 * electron-store answers this synchronous IPC message from any renderer with the userData path
 * and app version, so a Store can be made in a renderer. Ours has no Node and no use for it; a
 * listener that trusts every sender is removed, as the IPC door's rule says (logic/ipc.ts).
 */
export const ELECTRON_STORE_CHANNEL = 'electron-store-get-data';

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
  ipcMain.removeAllListeners(ELECTRON_STORE_CHANNEL);
  return {
    windowBounds: () => store.get('windowBounds'),
    setWindowBounds: (bounds) => store.set('windowBounds', bounds),
  };
}
