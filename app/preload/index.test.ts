// The preload exposes exactly one thing to the page: the Bridge, as `window.pipedai`.
import { describe, expect, it, vi } from 'vitest';

const h = vi.hoisted(() => ({ exposed: new Map<string, unknown>() }));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => h.exposed.set(key, api) },
  ipcRenderer: {
    invoke: async () => ({ ok: true, value: 'open' }),
    on: () => undefined,
    removeListener: () => undefined,
  },
}));

describe('preload', () => {
  it('exposes the Bridge as window.pipedai and nothing else', async () => {
    await import('./index.ts');
    expect([...h.exposed.keys()]).toEqual(['pipedai']);
    const api = h.exposed.get('pipedai') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onConnection', 'subscribe']);
    for (const k of Object.keys(api)) expect(typeof api[k]).toBe('function');
  });
});
