// The store's tests drive it through its public surface: frames in, commands out through a fake
// Bridge, timers moved by hand.
import {
  CommandError,
  type CommandName,
  type ConnectivitySample,
  type EventFrame,
  type FusedWorker,
  type LogLine,
  type RunEvent,
  type SupervisorStatus,
} from '../../shared/index.ts';
import type { Bridge, ConnectionListener, FrameListener } from '../../shared/bridge.ts';
import { createAppStore, type StoreDeps, type Timers } from './index.ts';

export type Answer = (input: Record<string, unknown>) => unknown;

export function fakeBridge(answers: Partial<Record<CommandName, Answer>>) {
  const calls: Array<[CommandName, Record<string, unknown>]> = [];
  let onFrame: FrameListener | null = null;
  let onConn: ConnectionListener | null = null;
  const bridge: Bridge = {
    invoke: (async (name: CommandName, input: Record<string, unknown>) => {
      calls.push([name, input]);
      const answer = answers[name];
      if (!answer) throw new CommandError('internal', `no answer for ${name}`);
      return await answer(input);
    }) as Bridge['invoke'],
    subscribe: (l) => {
      onFrame = l;
      return () => (onFrame = null);
    },
    onConnection: (cb) => {
      onConn = cb;
      cb('connecting');
      return () => (onConn = null);
    },
  };
  return {
    bridge,
    calls,
    answers,
    emit: (f: EventFrame) => onFrame?.(f),
    connect: (s: Parameters<ConnectionListener>[0]) => onConn?.(s),
    called: (name: CommandName) => calls.filter(([n]) => n === name).map(([, i]) => i),
  };
}

export function manualTimers(): Timers & { advance(ms: number): void; now(): number } {
  let t = 0;
  let next = 0;
  const q = new Map<number, { at: number; fn: () => void; every?: number }>();
  return {
    setTimeout: (fn, ms) => (q.set(++next, { at: t + ms, fn }), next),
    clearTimeout: (h) => void q.delete(h as number),
    setInterval: (fn, ms) => (q.set(++next, { at: t + ms, fn, every: ms }), next),
    clearInterval: (h) => void q.delete(h as number),
    now: () => t,
    advance(ms) {
      const end = t + ms;
      for (;;) {
        const due = [...q.entries()]
          .filter(([, e]) => e.at <= end)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        const [id, e] = due;
        t = e.at;
        if (e.every) e.at += e.every;
        else q.delete(id);
        e.fn();
      }
      t = end;
    },
  };
}

/** Let pending promise chains run. */
export const settle = () => new Promise((r) => setTimeout(r, 0));

export const local = (id: string, patch: Partial<SupervisorStatus> = {}): SupervisorStatus => ({
  id,
  state: 'running',
  pid: 10,
  startedAt: 0,
  restarts: 0,
  lastExit: null,
  draining: false,
  drainingSince: null,
  nextRestartAt: null,
  adopted: false,
  ...patch,
});

export const worker = (id: string, patch: Partial<FusedWorker> = {}): FusedWorker => ({
  id,
  label: `label-${id}`,
  mode: 'workspace',
  apiUrl: 'https://api.pipedai.app',
  desiredState: 'enabled',
  local: local(id),
  remote: null,
  lastEvent: null,
  busy: false,
  currentRunId: null,
  workerVersion: '1.0.0',
  latestWorkerVersion: '1.1.0',
  versionStale: true,
  ...patch,
});

export const line = (ts: number, text: string): LogLine => ({ ts, stream: 'out', line: text });
export const ev = (seq: number): RunEvent => ({
  seq,
  type: 'assistant',
  ts: seq,
  payload: { text: `e${seq}` },
});
export const sample = (ts: number): ConnectivitySample => ({
  ts,
  verdict: 'online',
  api: [],
  internet: { ok: true, latencyMs: 5, status: 204 },
});

export function setup(
  answers: Partial<Record<CommandName, Answer>> = {},
  limits = {},
  deps: Pick<StoreDeps, 'prefs'> = {},
) {
  const fb = fakeBridge({
    listWorkers: () => ({ items: [] }),
    getSelf: () => ({ version: '0.8.0', latest: null, stale: false, lastCheckedAt: null }),
    getConnectivity: () => ({ current: null, history: [] }),
    ...answers,
  });
  const timers = manualTimers();
  const store = createAppStore({
    bridge: fb.bridge,
    timers,
    now: timers.now,
    scheduleFlush: (fn) => fn(),
    limits,
    ...deps,
  });
  const stop = store.getState().actions.start();
  return {
    ...fb,
    store,
    timers,
    stop,
    s: () => store.getState(),
    a: () => store.getState().actions,
  };
}
