// One owner per host: the desktop app supervises the workers only when nobody else does. A live
// owner (the headless daemon, or another copy of the app) is driven through its control server.
import { backoffDelay, type RuntimeRecord } from '../../shared/index.ts';

/** Whether the desktop app supervises the host's workers itself or drives another owner. */
export type HostMode = 'own' | 'attached';
/** How the app lets go of the host: drain the workers, hand them to the service, or detach. */
export type CloseHow = 'drain' | 'handoff' | 'detach';

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

/** Reconnect delays to a lost owner: 0.5 s doubling to 10 s, half of each step random. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  return backoffDelay(attempt, { initialMs: 500, maxMs: 10_000 }, random);
}
