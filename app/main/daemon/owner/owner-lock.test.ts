// Whether a lock still names a live owner: alive, and the same process (start time), with the
// benefit of the doubt where the OS would not say.
import { describe, expect, it } from 'vitest';
import { isLiveOwner, type OwnerLock } from './owner-lock.ts';

const lock = (startTime: string | null): OwnerLock => ({
  pid: process.pid + 100_000,
  startTime,
  instanceId: 'i',
  host: 'headless',
  startedAt: 0,
  nonce: 'n',
});
const alive = async () => true;
const startedAt = (t: string | null) => async () => t;

describe('isLiveOwner', () => {
  it('the same start time is the same process; another start time is a reused pid', async () => {
    expect(await isLiveOwner(lock('100'), startedAt('100'), alive)).toBe(true);
    expect(await isLiveOwner(lock('100'), startedAt('200'), alive)).toBe(false);
  });

  it('a lock written where the start time was unknown is live while its pid is', async () => {
    expect(await isLiveOwner(lock(null), startedAt('200'), alive)).toBe(true);
  });

  it('a live pid whose start time the OS will not give now is given the benefit of the doubt', async () => {
    expect(await isLiveOwner(lock('100'), startedAt(null), alive)).toBe(true);
  });

  it('a dead pid is never live, whatever its start time', async () => {
    expect(await isLiveOwner(lock('100'), startedAt('100'), async () => false)).toBe(false);
  });
});
