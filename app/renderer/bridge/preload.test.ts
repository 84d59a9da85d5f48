// The preload bridge: whatever the Electron side rejects with or emits is normalised and checked.
import { describe, expect, it } from 'vitest';
import { CommandError, type EventFrame } from '../../shared/index.ts';
import { toCommandError } from './errors.ts';
import { createPreloadBridge } from './preload.ts';
import type { Bridge, ConnectionState } from '../../shared/bridge.ts';

function fakeApi(answer: () => Promise<unknown>) {
  const listeners = new Set<(f: EventFrame) => void>();
  const api: Bridge = {
    invoke: (() => answer()) as Bridge['invoke'],
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onConnection: (cb) => {
      cb('open');
      return () => undefined;
    },
  };
  return { api, emit: (f: unknown) => listeners.forEach((l) => l(f as EventFrame)) };
}

describe('preload bridge', () => {
  it('passes a valid answer through, parsed (defaults applied)', async () => {
    const { api } = fakeApi(async () => ({
      version: '1.0.0',
      latest: null,
      stale: false,
      lastCheckedAt: null,
    }));
    await expect(createPreloadBridge(api).invoke('getSelf', {})).resolves.toEqual({
      version: '1.0.0',
      latest: null,
      stale: false,
      lastCheckedAt: null,
    });
  });

  it('rejects an answer that breaks the contract', async () => {
    const { api } = fakeApi(async () => ({ items: 'nope' }));
    await expect(createPreloadBridge(api).invoke('listWorkers', {})).rejects.toMatchObject({
      code: 'upstream',
    });
  });

  it('turns an ErrorBody rejection into a CommandError with its field', async () => {
    const { api } = fakeApi(async () => {
      throw { error: 'apiUrl: Invalid URL', code: 'bad-request', field: 'apiUrl' };
    });
    const e = await createPreloadBridge(api)
      .invoke('buildWorker', { apiUrl: 'x' })
      .catch((x) => x);
    expect(e).toBeInstanceOf(CommandError);
    expect(e).toMatchObject({
      code: 'bad-request',
      field: 'apiUrl',
      message: 'apiUrl: Invalid URL',
    });
  });

  it("strips Electron's IPC prefix from an Error rejection", () => {
    const e = toCommandError(
      new Error("Error invoking remote method 'pipedai:invoke': CommandError: unknown worker w9"),
    );
    expect(e.message).toBe('unknown worker w9');
    expect(e.code).toBe('internal');
    expect(toCommandError('boom').message).toBe('boom');
    expect(toCommandError(undefined).message).toBe('unexpected error');
  });

  it('drops frames that break the contract and reports the connection', () => {
    const { api, emit } = fakeApi(async () => ({}));
    const bridge = createPreloadBridge(api);
    const frames: EventFrame[] = [];
    const states: ConnectionState[] = [];
    bridge.subscribe((f) => frames.push(f));
    bridge.onConnection((s) => states.push(s));
    emit({ kind: 'dropped', dropped: -1 });
    emit({ kind: 'dropped', dropped: 2 });
    expect(frames).toEqual([{ kind: 'dropped', dropped: 2 }]);
    expect(states).toEqual(['open']);
  });
});
