import { describe, expect, it } from 'vitest';
import type { RuntimeRecord } from '../../../shared/index.ts';
import {
  OWNER_PORT_WAIT_MS,
  attachedCallTimeoutMs,
  controlPortAttempts,
  decideHostMode,
  reconnectDelayMs,
} from './host-mode.ts';

const owner = (over: Partial<RuntimeRecord> = {}): RuntimeRecord => ({
  pid: 5000,
  port: 4599,
  instanceId: 'i-1',
  host: 'headless',
  startedAt: 1_700_000_000_000,
  ...over,
});

describe('attach or own', () => {
  it('owns the host when no live process does', () => {
    expect(decideHostMode({ owner: null, waitedMs: 0 })).toEqual({ kind: 'own' });
  });

  it('attaches to a live headless daemon on its published port', () => {
    const o = owner({ port: 4610 });
    expect(decideHostMode({ owner: o, waitedMs: 0 })).toEqual({
      kind: 'attach',
      port: 4610,
      owner: o,
    });
  });

  it('attaches to another desktop owner too (one owner per host, whatever its kind)', () => {
    expect(decideHostMode({ owner: owner({ host: 'desktop' }), waitedMs: 0 })).toMatchObject({
      kind: 'attach',
      port: 4599,
    });
  });

  it('waits for a starting owner to publish its port, then gives up with the reason', () => {
    const starting = owner({ port: null });
    expect(decideHostMode({ owner: starting, waitedMs: 1000 })).toEqual({ kind: 'wait' });
    const d = decideHostMode({ owner: starting, waitedMs: OWNER_PORT_WAIT_MS });
    expect(d.kind).toBe('fail');
    expect(d.kind === 'fail' && d.reason).toMatch(
      /headless daemon \(pid 5000\).*not published its control port/,
    );
  });
});

describe('control port and reconnects', () => {
  it('tries 4599 then any free port, or exactly the port asked for', () => {
    expect(controlPortAttempts(undefined, 4599)).toEqual([4599, 0]);
    expect(controlPortAttempts(4700, 4599)).toEqual([4700]);
    expect(controlPortAttempts(0, 4599)).toEqual([0]);
  });

  it('backs off from 0.5 s to 10 s with bounded jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => reconnectDelayMs(a, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(reconnectDelayMs(30, () => 1)).toBe(12_000);
  });

  it('lets upgrades run long over the control client', () => {
    // A drain waits for the run however long: those calls have no limit.
    for (const name of ['stopWorker', 'disableWorker', 'deleteWorker', 'restartWorker'])
      expect(attachedCallTimeoutMs(name)).toBeNull();
    expect(attachedCallTimeoutMs('upgradeWorker')).toBeNull();
    expect(attachedCallTimeoutMs('upgradeSelf')).toBe(15 * 60_000);
    expect(attachedCallTimeoutMs('listWorkers')).toBe(30_000);
  });
});
