// The browser bridge against the real control server: real HTTP, a real WebSocket (Node 22's
// global, the same API as a browser's), real 401s and a real daemon restart on the same port.
import { afterEach, describe, expect, it } from 'vitest';
import { CommandError, type CommandHandlers, type EventFrame } from '../../shared/index.ts';
import { stubHandlers } from '../../shared/test-support.ts';
import { worker } from '../store/test-support.ts';
import { startControlServer, type ControlServer } from '../../main/control/server.ts';
import { createBrowserBridge, type BrowserBridge } from './browser.ts';
import type { ConnectionState } from '../../shared/bridge.ts';

const TOKEN = 'oct_' + 'b'.repeat(43);

function handlers(): CommandHandlers {
  return stubHandlers({
    listWorkers: async () => ({ items: [worker('w1')] }),
    buildWorker: async () => ({ id: 'w_new' }),
    // Breaks the contract on purpose: `version` must be a string.
    getSelf: async () => ({ version: 7 }) as never,
    getLogs: async ({ tail }) => ({
      items: [{ ts: 1, stream: 'out', line: `tail=${tail ?? 'none'}` }],
    }),
    listRuns: async () => ({ items: [] }),
    getRunEvents: async () => ({ items: [] }),
    getConnectivity: async () => ({ current: null, history: [] }),
  });
}

interface Daemon {
  server: ControlServer;
  emit(frame: unknown): void;
}

async function startDaemon(port = 0, token = TOKEN, snapshotId = 'w1'): Promise<Daemon> {
  const listeners = new Set<(f: EventFrame) => void>();
  const server = await startControlServer({
    port,
    token: () => token,
    handlers: handlers(),
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    snapshot: async () => [{ kind: 'status', items: [worker(snapshotId)] }],
    staticDir: null,
  });
  return { server, emit: (f) => listeners.forEach((l) => l(f as EventFrame)) };
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function bridgeFor(d: Daemon, token: string | null = TOKEN) {
  const states: ConnectionState[] = [];
  const frames: EventFrame[] = [];
  let forgotten = 0;
  const bridge: BrowserBridge = createBrowserBridge({
    baseUrl: d.server.url,
    token,
    random: () => 0, // shortest backoff: the test waits less
    onUnauthorized: () => void forgotten++,
  });
  cleanups.push(() => bridge.close());
  bridge.onConnection((s) => states.push(s));
  return { bridge, states, frames, forgotten: () => forgotten };
}

describe('browser bridge: commands', () => {
  it('sends the bearer token, fills the route and parses the answer', async () => {
    const d = await startDaemon();
    cleanups.push(() => d.server.close());
    const { bridge } = bridgeFor(d);
    await expect(bridge.invoke('listWorkers', {})).resolves.toEqual({ items: [worker('w1')] });
    await expect(bridge.invoke('stopWorker', { id: 'w 1', force: true })).resolves.toEqual({
      id: 'w 1',
      action: 'stop',
      ok: true,
    });
    await expect(bridge.invoke('getLogs', { id: 'w1', tail: 2000 })).resolves.toEqual({
      items: [{ ts: 1, stream: 'out', line: 'tail=2000' }],
    });
  });

  it("surfaces the daemon's error, code and field", async () => {
    const d = await startDaemon();
    cleanups.push(() => d.server.close());
    const { bridge } = bridgeFor(d);
    const bad = await bridge.invoke('buildWorker', { apiUrl: 'not a url' }).catch((e) => e);
    expect(bad).toBeInstanceOf(CommandError);
    expect(bad).toMatchObject({ code: 'bad-request', field: 'apiUrl' });
    expect(bad.message).toContain('apiUrl');
    const busy = await bridge.invoke('startWorker', { id: 'busy' }).catch((e) => e);
    expect(busy).toMatchObject({ code: 'conflict', message: 'an upgrade is already in flight' });
  });

  it('rejects an answer that breaks the contract', async () => {
    const d = await startDaemon();
    cleanups.push(() => d.server.close());
    const { bridge } = bridgeFor(d);
    const e = await bridge.invoke('getSelf', {}).catch((x) => x);
    expect(e).toMatchObject({ code: 'upstream' });
    expect(e.message).toContain('version');
  });

  it('reports an unreachable daemon as unavailable', async () => {
    const d = await startDaemon();
    await d.server.close();
    const { bridge } = bridgeFor(d);
    await expect(bridge.invoke('listWorkers', {})).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('a rejected token is final: unauthorized, token forgotten, no more requests', async () => {
    const d = await startDaemon();
    cleanups.push(() => d.server.close());
    const { bridge, states, forgotten } = bridgeFor(d, 'oct_wrong');
    const e = await bridge.invoke('listWorkers', {}).catch((x) => x);
    expect(e).toMatchObject({ code: 'unauthorized' });
    expect(e.message).toContain('pipedai-orchestrator dashboard --open');
    expect(states.at(-1)).toBe('unauthorized');
    expect(forgotten()).toBe(1);
    await expect(bridge.invoke('listWorkers', {})).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('without a token the page is unauthorized at once', async () => {
    const d = await startDaemon();
    cleanups.push(() => d.server.close());
    const { bridge, states } = bridgeFor(d, null);
    bridge.subscribe(() => undefined);
    expect(states.at(-1)).toBe('unauthorized');
    await expect(bridge.invoke('listWorkers', {})).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

describe('browser bridge: event stream', () => {
  it('gets the snapshot, then live frames; frames that break the contract are skipped', async () => {
    const d = await startDaemon();
    cleanups.push(() => d.server.close());
    const { bridge, states, frames } = bridgeFor(d);
    bridge.subscribe((f) => frames.push(f));
    await until(() => frames.length === 1, 'the snapshot');
    expect(frames[0]).toMatchObject({ kind: 'status', items: [{ id: 'w1' }] });
    expect(states).toEqual(['connecting', 'open']);
    d.emit({ kind: 'logs', id: 'w1', lines: [{ ts: 'not a number', stream: 'out', line: 'bad' }] });
    d.emit({ kind: 'mystery' });
    d.emit({ kind: 'logs', id: 'w1', lines: [] }); // a batch is never empty
    const good = { kind: 'logs', id: 'w1', lines: [{ ts: 5, stream: 'err', line: 'good' }] };
    d.emit(good);
    await until(() => frames.length === 2, 'the live frame');
    expect(frames[1]).toEqual(good);
  });

  it('one socket for every subscriber; the last unsubscribe closes it', async () => {
    const d = await startDaemon();
    cleanups.push(() => d.server.close());
    const { bridge } = bridgeFor(d);
    const a: EventFrame[] = [];
    const b: EventFrame[] = [];
    const offA = bridge.subscribe((f) => a.push(f));
    const offB = bridge.subscribe((f) => b.push(f));
    await until(() => a.length === 1 && b.length === 1, 'the snapshot in both');
    d.emit({ kind: 'dropped', dropped: 3 });
    await until(() => a.length === 2 && b.length === 2, 'the frame in both');
    offA();
    offB();
    d.emit({ kind: 'dropped', dropped: 4 });
    await new Promise((r) => setTimeout(r, 200));
    expect(a.length + b.length).toBe(4);
  });

  it('reconnects after the daemon restarts and gets a fresh snapshot', async () => {
    const d = await startDaemon();
    const port = d.server.port;
    const { bridge, states, frames } = bridgeFor(d);
    bridge.subscribe((f) => frames.push(f));
    await until(() => frames.length === 1, 'the first snapshot');
    await d.server.close();
    await until(() => states.at(-1) === 'reconnecting', 'reconnecting');
    await new Promise((r) => setTimeout(r, 300)); // a failed attempt or two while it is away
    const again = await startDaemon(port, TOKEN, 'w2');
    cleanups.push(() => again.server.close());
    await until(() => frames.length === 2, 'the second snapshot');
    expect(frames[1]).toMatchObject({ kind: 'status', items: [{ id: 'w2' }] });
    expect(states.at(-1)).toBe('open');
    expect(states.filter((s) => s === 'unauthorized')).toEqual([]);
  });

  it('stops reconnecting when the restarted daemon rejects the token', async () => {
    const d = await startDaemon();
    const port = d.server.port;
    const { bridge, states, frames, forgotten } = bridgeFor(d);
    bridge.subscribe((f) => frames.push(f));
    await until(() => frames.length === 1, 'the snapshot');
    await d.server.close();
    const rotated = await startDaemon(port, 'oct_' + 'c'.repeat(43));
    cleanups.push(() => rotated.server.close());
    await until(() => states.at(-1) === 'unauthorized', 'unauthorized');
    expect(forgotten()).toBe(1);
    expect(frames).toHaveLength(1);
  });
});
