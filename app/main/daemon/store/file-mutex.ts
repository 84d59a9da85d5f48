// Cross-process lock of one state file (`<file>.lock`), so the CLI (connect, adopt, login) and
// the daemon never interleave a read-modify-write. Waits are bounded; a lock left by a dead
// process, or held longer than any mutation takes, is taken over.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { isProcessAlive } from '../owner/process-info.ts';
import {
  createExclusive,
  parseJsonWith,
  readLock,
  removeLockIfContent,
  takeOverStaleLock,
} from './lock-file.ts';

export interface FileMutexOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** The clock of the wait and of the lock's age (default Date.now). */
  now?: () => number;
  /** The pause between attempts (default a timer). */
  sleep?: (ms: number) => Promise<void>;
}

/** A lock older than this is abandoned whoever holds it: no mutation of a state file takes that long. */
const STALE_MS = 30_000;

export class LockTimeoutError extends Error {
  readonly lockPath: string;
  readonly holderPid: number | null;
  constructor(lockPath: string, holderPid: number | null, waitedMs: number) {
    const holder = holderPid === null ? 'another process' : `process ${holderPid}`;
    super(
      `timed out after ${(waitedMs / 1000).toFixed(1)} s waiting for ${lockPath} (held by ${holder}); if no process is using it, remove the lock file`,
    );
    this.name = 'LockTimeoutError';
    this.lockPath = lockPath;
    this.holderPid = holderPid;
  }
}

const LockContent = z.object({ pid: z.number().int(), at: z.number(), nonce: z.string() });
type LockContent = z.infer<typeof LockContent>;

/** Nonces of the locks this process holds: a lock naming our pid but not held is a previous process's. */
const heldHere = new Set<string>();

function lockPathFor(file: string): string {
  return `${file}.lock`;
}

export async function withFileLock<R>(
  file: string,
  task: () => Promise<R>,
  options: FileMutexOptions = {},
): Promise<R> {
  const release = await acquireFileLock(lockPathFor(file), options);
  try {
    return await task();
  } finally {
    await release();
  }
}

async function acquireFileLock(
  lockPath: string,
  options: FileMutexOptions,
): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? delay;
  const started = now();
  let pause = 5;
  for (;;) {
    const mine: LockContent = {
      pid: process.pid,
      at: now(),
      nonce: randomBytes(8).toString('hex'),
    };
    const content = JSON.stringify(mine);
    if (await createExclusive(lockPath, content)) {
      heldHere.add(mine.nonce);
      return async () => {
        heldHere.delete(mine.nonce);
        await removeLockIfContent(lockPath, content);
      };
    }
    // null: released between our attempt and the read, or a link to nothing (which never goes
    // away by itself): either way a wait like for a holder, so it stays bounded.
    const current = await readLock(lockPath);
    // Stryker disable next-line ConditionalExpression: parseJsonWith(null) is null too; the test is for the type
    const holder = current === null ? null : parseJsonWith(LockContent, current);
    // Stale and removed by us: retry at once. Another process taking it over: wait like for a holder.
    if (
      current !== null &&
      isStale(holder, now()) &&
      (await takeOverStaleLock(lockPath, current))
    ) {
      continue;
    }
    const waited = now() - started;
    if (waited >= timeoutMs) throw new LockTimeoutError(lockPath, holder?.pid ?? null, waited);
    // Jittered, growing pauses: contenders do not retry in lock-step.
    await sleep(pause + Math.random() * pause);
    pause = Math.min(pause * 2, 100);
  }
}

function isStale(holder: LockContent | null, at: number): boolean {
  if (holder === null) return true; // written whole (see createExclusive), so unreadable means damaged
  if (at - holder.at > STALE_MS) return true;
  if (holder.pid === process.pid) return !heldHere.has(holder.nonce);
  return !isProcessAlive(holder.pid);
}
