import { describe, expect, it } from 'vitest';
import { TOKEN_STORAGE_KEY, bootstrapToken, forgetToken, type TokenStorage } from './token.ts';

function memory(
  initial: Record<string, string> = {},
): TokenStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe('token bootstrap', () => {
  it('moves ?token= into sessionStorage and cleans the address bar, keeping the rest', () => {
    const storage = memory();
    const replaced: string[] = [];
    const token = bootstrapToken({
      href: 'http://127.0.0.1:4599/?view=x&token=oct_abc%2Bdef#logs',
      storage,
      replaceUrl: (u) => replaced.push(u),
    });
    expect(token).toBe('oct_abc+def');
    expect(storage.data.get(TOKEN_STORAGE_KEY)).toBe('oct_abc+def');
    expect(replaced).toEqual(['/?view=x#logs']);
  });

  it('a new ?token= wins over the stored one (a fresh dashboard link)', () => {
    const storage = memory({ [TOKEN_STORAGE_KEY]: 'oct_old' });
    const token = bootstrapToken({
      href: 'http://127.0.0.1:4599/?token=oct_new',
      storage,
      replaceUrl: () => undefined,
    });
    expect(token).toBe('oct_new');
    expect(storage.data.get(TOKEN_STORAGE_KEY)).toBe('oct_new');
  });

  it('uses the stored token after a reload, without touching the address', () => {
    const storage = memory({ [TOKEN_STORAGE_KEY]: 'oct_kept' });
    const replaced: string[] = [];
    expect(
      bootstrapToken({
        href: 'http://127.0.0.1:4599/',
        storage,
        replaceUrl: (u) => replaced.push(u),
      }),
    ).toBe('oct_kept');
    expect(replaced).toEqual([]);
  });

  it('an empty ?token= is removed from the address and does not erase a stored token', () => {
    const storage = memory({ [TOKEN_STORAGE_KEY]: 'oct_kept' });
    const replaced: string[] = [];
    const token = bootstrapToken({
      href: 'http://127.0.0.1:4599/?token=',
      storage,
      replaceUrl: (u) => replaced.push(u),
    });
    expect(token).toBe('oct_kept');
    expect(replaced).toEqual(['/']);
  });

  it('no token anywhere → null; forgetToken clears the stored one', () => {
    const storage = memory({ [TOKEN_STORAGE_KEY]: 'oct_x' });
    forgetToken(storage);
    expect(
      bootstrapToken({ href: 'http://localhost:1/', storage, replaceUrl: () => undefined }),
    ).toBe(null);
  });
});
