// One owner per host: the desktop app supervises the workers only when nobody else does. A live
// owner (the headless daemon, or another copy of the app) is driven through its control server.
import type { RuntimeRecord } from '../../../shared/index.ts';

export type HostModeDecision =
  | { kind: 'own' }
  | { kind: 'attach'; port: number; owner: RuntimeRecord }
  /** An owner is starting and has not published its port yet: read again shortly. */
  | { kind: 'wait' }
  | { kind: 'fail'; reason: string };

/** How long to wait for a starting owner to publish its port (its start takes seconds at most). */
export const OWNER_PORT_WAIT_MS = 15_000;

export function decideHostMode(o: {
  owner: RuntimeRecord | null;
  waitedMs: number;
}): HostModeDecision {
  const { owner } = o;
  if (owner === null) return { kind: 'own' };
  if (owner.port !== null) return { kind: 'attach', port: owner.port, owner };
  if (o.waitedMs >= OWNER_PORT_WAIT_MS)
    return {
      kind: 'fail',
      reason: `the ${owner.host} daemon (pid ${owner.pid}) owns this host but has not published its control port after ${Math.round(o.waitedMs / 1000)} s`,
    };
  return { kind: 'wait' };
}

/** The control port the owning app tries: the one asked for, else 4599 and then any free port. */
export function controlPortAttempts(explicit: number | undefined, defaultPort: number): number[] {
  return explicit === undefined ? [defaultPort, 0] : [explicit];
}

/** Reconnect delays to a lost owner: 0.5 s doubling to 10 s, with up to 20 % jitter. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 + 0.2 * random()));
}

/** Commands that wait for a worker's run to finish, however long: no client timeout. */
const WAITS_FOR_A_RUN = new Set([
  'stopWorker',
  'restartWorker',
  'disableWorker',
  'deleteWorker',
  'upgradeWorker',
]);

/** null: no limit. A self-upgrade waits for npm (bounded there); the rest answer quickly. */
export function attachedCallTimeoutMs(name: string): number | null {
  if (WAITS_FOR_A_RUN.has(name)) return null;
  return name === 'upgradeSelf' ? 15 * 60_000 : 30_000;
}
