// The IPC adapter with ipcMain replaced by a recorder: the sender check reads Electron's event
// the way the door expects, and dispose removes the handlers.
import { describe, expect, it, vi } from 'vitest';
import { IPC, forwardingHandlers, type CommandTarget } from '../../shared/index.ts';
import { APP_ORIGIN } from './logic/window.ts';

const h = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
}));
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) =>
      h.handlers.set(channel, fn),
    removeHandler: (channel: string) => h.handlers.delete(channel),
  },
}));

const { registerIpcDoor } = await import('./ipc.ts');

const WINDOW = 5;
const event = (over: { id?: number; frame?: unknown } = {}) => ({
  sender: { id: over.id ?? WINDOW },
  senderFrame:
    'frame' in over ? over.frame : { url: `${APP_ORIGIN}/index.html#logs=w`, parent: null },
});

describe('IPC adapter', () => {
  const calls: unknown[] = [];
  const target: CommandTarget = {
    handlers: forwardingHandlers(async (name, args) => {
      calls.push([name, args]);
      return { items: [] } as never;
    }),
    snapshot: async () => [{ kind: 'dropped', dropped: 0 }],
    state: () => 'reconnecting',
  };
  const dispose = registerIpcDoor({
    target,
    expected: () => ({ webContentsId: WINDOW, appOrigins: [APP_ORIGIN] }),
    log: () => undefined,
  });

  it('answers our window on the three channels', async () => {
    expect([...h.handlers.keys()].sort()).toEqual(
      [IPC.connection, IPC.invoke, IPC.snapshot].sort(),
    );
    expect(await h.handlers.get(IPC.invoke)!(event(), 'getLogs', { id: 'w', tail: 5 })).toEqual({
      ok: true,
      value: { items: [] },
    });
    expect(calls).toEqual([['getLogs', { id: 'w', tail: 5 }]]);
    expect(await h.handlers.get(IPC.snapshot)!(event())).toEqual({
      ok: true,
      value: [{ kind: 'dropped', dropped: 0 }],
    });
    expect(await h.handlers.get(IPC.connection)!(event())).toEqual({
      ok: true,
      value: 'reconnecting',
    });
  });

  it('refuses other web contents, subframes, gone frames and other pages', async () => {
    const foreign = [
      event({ id: WINDOW + 1 }),
      event({ frame: { url: `${APP_ORIGIN}/index.html`, parent: {} } }),
      event({ frame: null }),
      event({ frame: { url: 'https://evil.example/', parent: null } }),
      event({
        frame: {
          get url(): string {
            throw new Error('Render frame was disposed before WebFrameMain could be accessed');
          },
          parent: null,
        },
      }),
    ];
    calls.length = 0;
    for (const e of foreign)
      expect(await h.handlers.get(IPC.invoke)!(e, 'listWorkers', {})).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    expect(calls).toEqual([]);
  });

  it('removes its handlers when disposed', () => {
    dispose();
    expect(h.handlers.size).toBe(0);
  });
});
