import { describe, expect, it } from 'vitest';
import { pagePrefs } from './prefs.ts';

function storage(fail = false): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => {
      if (fail) throw new Error('SecurityError');
      return m.get(k) ?? null;
    },
    setItem: (k: string, v: string) => {
      if (fail) throw new Error('QuotaExceededError');
      m.set(k, v);
    },
  } as Storage;
}

describe('pagePrefs', () => {
  it('keeps a choice in the page storage, for the next visit', () => {
    const s = storage();
    pagePrefs(s).set('pipedai.logWrap', 'on');
    expect(pagePrefs(s).get('pipedai.logWrap')).toBe('on');
  });

  it('keeps it for the visit when storage is refused', () => {
    const prefs = pagePrefs(storage(true));
    expect(prefs.get('pipedai.logWrap')).toBeNull();
    prefs.set('pipedai.logWrap', 'on');
    expect(prefs.get('pipedai.logWrap')).toBe('on');
    expect(pagePrefs(undefined).get('x')).toBeNull();
  });
});
