import { describe, expect, it } from 'vitest';
import type { EventFrame } from '../shared/index.ts';
import { MAX_PENDING_FRAMES, createIpcBridge, type IpcRendererLike } from './bridge.ts';
import { IPC } from '../shared/ipc.ts';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** An ipcRenderer stand-in: answers invokes from a table, lets the test push main → window messages. */
function fakeIpc(answers: Record<string, (...args: unknown[]) => unknown>) {
  const listeners = new Map<string, Set<Listener>>();
  const invoked: Array<[string, ...unknown[]]> = [];
  const ipc: IpcRendererLike = {
    async invoke(channel, ...args) {
      invoked.push([channel, ...args]);
      const answer = answers[channel];
      if (!answer) throw new Error(`No handler registered for '${channel}'`);
      return answer(...args);
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)?.add(listener);
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
  };
  const push = (channel: string, payload: unknown): void => {
    for (const l of listeners.get(channel) ?? []) l({ sender: null }, payload);
  };
  return { ipc, invoked, push, count: (channel: string) => listeners.get(channel)?.size ?? 0 };
}

const status = (n: number): EventFrame => ({
  kind: 'status',
  items: Array(n)
    .fill(null)
    .map(() => null as never),
});
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('preload bridge', () => {
  it('invokes a command and resolves with its value', async () => {
    const f = fakeIpc({
      [IPC.connection]: () => ({ ok: true, value: 'open' }),
      [IPC.invoke]: (name, input) => ({ ok: true, value: { name, input } }),
    });
    const bridge = createIpcBridge(f.ipc);
    await expect(bridge.invoke('stopWorker', { id: 'w-1' })).resolves.toEqual({
      name: 'stopWorker',
      input: { id: 'w-1' },
    });
    expect(f.invoked).toContainEqual([IPC.invoke, 'stopWorker', { id: 'w-1' }]);
  });

  it('rejects with the plain ErrorBody (no Error: contextBridge would drop code and field)', async () => {
    const f = fakeIpc({
      [IPC.connection]: () => ({ ok: true, value: 'open' }),
      [IPC.invoke]: () => ({
        ok: false,
        error: { error: 'id: Too small', code: 'bad-request', field: 'id' },
      }),
    });
    const err = await createIpcBridge(f.ipc)
      .invoke('stopWorker', { id: '' })
      .catch((e: unknown) => e);
    expect(err).toEqual({ error: 'id: Too small', code: 'bad-request', field: 'id' });
    expect(err).not.toBeInstanceOf(Error);
  });

  it('turns a missing handler or a malformed answer into an ErrorBody', async () => {
    const gone = createIpcBridge(fakeIpc({}).ipc);
    await expect(gone.invoke('listWorkers', {})).rejects.toMatchObject({ code: 'unavailable' });
    const weird = createIpcBridge(fakeIpc({ [IPC.invoke]: () => 'ok' }).ipc);
    await expect(weird.invoke('listWorkers', {})).rejects.toEqual({
      error: `malformed answer on ${IPC.invoke}`,
      code: 'internal',
    });
  });

  it('delivers the snapshot before live frames that raced it, then live frames', async () => {
    let answerSnapshot: (v: unknown) => void = () => undefined;
    const f = fakeIpc({
      [IPC.connection]: () => ({ ok: true, value: 'open' }),
      [IPC.snapshot]: () => new Promise((r) => (answerSnapshot = r)),
    });
    const got: EventFrame[] = [];
    const unsubscribe = createIpcBridge(f.ipc).subscribe((frame) => got.push(frame));
    await tick();
    f.push(IPC.frame, [status(2)]); // arrives before the snapshot answer
    answerSnapshot({ ok: true, value: [status(1)] });
    await tick();
    // One message carries the frames of a moment, in order; anything else is ignored.
    f.push(IPC.frame, [status(3), status(4)]);
    f.push(IPC.frame, status(9));
    expect(got.map((g) => (g.kind === 'status' ? g.items.length : -1))).toEqual([1, 2, 3, 4]);
    unsubscribe();
    f.push(IPC.frame, [status(5)]);
    expect(got).toHaveLength(4);
    expect(f.count(IPC.frame)).toBe(0);
  });

  it('bounds the frames waiting for a snapshot', async () => {
    let answerSnapshot: (v: unknown) => void = () => undefined;
    const f = fakeIpc({ [IPC.snapshot]: () => new Promise((r) => (answerSnapshot = r)) });
    const got: EventFrame[] = [];
    createIpcBridge(f.ipc).subscribe((frame) => got.push(frame));
    await tick();
    for (let i = 0; i < MAX_PENDING_FRAMES + 20; i++)
      f.push(IPC.frame, [{ kind: 'dropped', dropped: i }]);
    answerSnapshot({ ok: false, error: { error: 'refused', code: 'forbidden' } });
    await tick();
    expect(got).toHaveLength(MAX_PENDING_FRAMES);
    expect(got[0]).toEqual({ kind: 'dropped', dropped: 20 });
  });

  it('reports the connection at once, then its changes; ignores unknown states', async () => {
    const f = fakeIpc({ [IPC.connection]: () => ({ ok: true, value: 'reconnecting' }) });
    const bridge = createIpcBridge(f.ipc);
    const seen: string[] = [];
    bridge.onConnection((s) => seen.push(s));
    expect(seen).toEqual(['connecting']);
    await tick();
    f.push(IPC.connectionChanged, 'open');
    f.push(IPC.connectionChanged, 'unauthorized');
    f.push(IPC.connectionChanged, 42);
    expect(seen).toEqual(['connecting', 'reconnecting', 'open']);
    const late: string[] = [];
    const off = bridge.onConnection((s) => late.push(s));
    off();
    f.push(IPC.connectionChanged, 'reconnecting');
    expect(late).toEqual(['open']);
  });
});
