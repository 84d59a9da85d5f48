// The store reaches components through context: no prop drilling, and tests can mount their own.
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { Actions, AppState, AppStore } from './store/index.ts';

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('StoreProvider is missing');
  return store;
}

export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(useAppStore(), selector);
}

export function useActions(): Actions {
  return useStore(useAppStore(), (s) => s.actions);
}
