// The owner lock's content and the test of whether it still names a live owner: its process
// exists and is the same process (same start time), not a later one that reused the pid.
import { z } from 'zod';
import { HostKind } from '../../../shared/state.ts';
import type { ProcessLiveness, ProcessStartTime } from './process-info.ts';

export const OwnerLock = z.object({
  pid: z.number().int().positive(),
  /** As processStartTime reports it; null where the OS would not say. */
  startTime: z.string().nullable(),
  instanceId: z.string().min(1),
  host: HostKind,
  startedAt: z.number().int(),
  /** Makes every lock's content unique, so a takeover never mistakes a new lock for the stale one. */
  nonce: z.string().min(1),
});
export type OwnerLock = z.infer<typeof OwnerLock>;

/** Nonces of owner locks this process holds: a lock with our pid but not in here is a previous process's. */
export const ownerLocksHeldHere = new Set<string>();

/**
 * The lock names a live owner: its process runs (a zombie does not: in a container whose init
 * never reaps, a dead owner would otherwise refuse every start) and is the same process (same
 * start time), not a later one that reused the pid.
 */
export async function isLiveOwner(
  lock: OwnerLock,
  processStartTime: ProcessStartTime,
  processAlive: ProcessLiveness,
): Promise<boolean> {
  if (lock.pid === process.pid) return ownerLocksHeldHere.has(lock.nonce);
  if (!(await processAlive(lock.pid))) return false;
  if (lock.startTime === null) return true;
  const startTime = await processStartTime(lock.pid);
  // Unknown now (the OS would not say): a live pid is given the benefit of the doubt.
  return startTime === null || startTime === lock.startTime;
}
