// Token bootstrap (contract §9): `?token=` on first load moves into sessionStorage and leaves
// the address bar, so it is not kept in history, bookmarks or a screenshot.

export const TOKEN_STORAGE_KEY = 'pipedai_oct';

export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface TokenBootstrapEnv {
  /** The page's full address. */
  href: string;
  storage: TokenStorage;
  /** history.replaceState with the cleaned address. */
  replaceUrl: (url: string) => void;
}

/** The token to use, or null when the page was opened without one. */
export function bootstrapToken(env: TokenBootstrapEnv): string | null {
  const url = new URL(env.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    env.replaceUrl(`${url.pathname}${url.search}${url.hash}`);
    const token = fromUrl.trim();
    if (token !== '') {
      env.storage.setItem(TOKEN_STORAGE_KEY, token);
      return token;
    }
  }
  const stored = env.storage.getItem(TOKEN_STORAGE_KEY);
  return stored && stored.trim() !== '' ? stored : null;
}

export function forgetToken(storage: TokenStorage): void {
  storage.removeItem(TOKEN_STORAGE_KEY);
}
