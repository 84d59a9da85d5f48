// One owner per host: the process that supervises this PIPEDAI_HOME's workers holds the owner
// lock and publishes its runtime record (pid, port, instance id, host kind). Another process
// finds the owner with readLiveOwner and attaches to it instead of supervising.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { describeZodError } from '../../../shared/errors.ts';
import { RuntimeRecord } from '../../../shared/state.ts';
import type { HostKind } from '../../../shared/state.ts';
import type { Paths } from '../paths.ts';
import { ensureDir, writeFileAtomic } from '../store/atomic-write.ts';
import {
  createExclusive,
  parseJsonWith,
  readLock,
  removeLockIfContent,
  takeOverStaleLock,
} from '../store/lock-file.ts';
import { OwnerLock, isLiveOwner, ownerLocksHeldHere } from './owner-lock.ts';
import { processLivenessFor, processStartTimeFor } from './process-info.ts';
import type { ProcessLiveness, ProcessStartTime } from './process-info.ts';

export interface OwnershipOptions {
  paths: Paths;
  host: HostKind;
  instanceId?: string;
  version?: string;
  now?: () => number;
  platform?: NodeJS.Platform;
  /** Start-time lookup for the pid-reuse check (default: this platform's). */
  processStartTime?: ProcessStartTime;
  /** Alive-and-not-a-zombie check (default: this platform's). */
  processAlive?: ProcessLiveness;
}

export interface Ownership {
  /** The runtime record as published (port null until setPort). */
  readonly record: RuntimeRecord;
  /** Publishes the control server's port. */
  setPort(port: number): Promise<void>;
  /** Removes the lock and the record, each only if still ours. */
  release(): Promise<void>;
}

export class HostOwnedError extends Error {
  readonly owner: RuntimeRecord;
  constructor(owner: RuntimeRecord) {
    const kind = owner.host === 'desktop' ? 'desktop app' : 'headless daemon';
    const port = owner.port === null ? 'no port yet' : `port ${owner.port}`;
    const since = new Date(owner.startedAt).toISOString();
    super(`this host is already owned by process ${owner.pid} (${kind}, ${port}, since ${since})`);
    this.name = 'HostOwnedError';
    this.owner = owner;
  }
}

/** How long contenders keep retrying a takeover that another process is in the middle of. */
const ACQUIRE_WAIT_MS = 5_000;

export async function acquireOwnership(options: OwnershipOptions): Promise<Ownership> {
  const { paths, host, now = Date.now, platform = process.platform } = options;
  const startTimeOf = startTimeLookup(options);
  const alive = livenessLookup(options);
  await ensureDir(paths.orchestratorDir, 0o700, platform);
  const lock: OwnerLock = {
    pid: process.pid,
    startTime: await startTimeOf(process.pid),
    instanceId: options.instanceId ?? randomUUID(),
    host,
    startedAt: now(),
    nonce: randomBytes(8).toString('hex'),
  };
  const content = JSON.stringify(lock);
  const deadline = Date.now() + ACQUIRE_WAIT_MS;
  while (!(await createExclusive(paths.ownerLock, content))) {
    const current = await readLock(paths.ownerLock);
    // Stryker disable next-line ConditionalExpression: parseJsonWith(null) is null too; the test is for the type
    const holder = current === null ? null : parseJsonWith(OwnerLock, current);
    if (holder && (await isLiveOwner(holder, startTimeOf, alive))) {
      throw new HostOwnedError(await recordOf(paths, holder));
    }
    // Gone meanwhile, or stale and removed by us: try again at once.
    if (current === null || (await takeOverStaleLock(paths.ownerLock, current))) continue;
    // Another process is taking the same stale lock over: its outcome decides.
    if (Date.now() > deadline) {
      throw new Error(`could not take the owner lock ${paths.ownerLock}: it stays contended`);
    }
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
  }
  ownerLocksHeldHere.add(lock.nonce);
  let record: RuntimeRecord = {
    pid: lock.pid,
    port: null,
    instanceId: lock.instanceId,
    host,
    startedAt: lock.startedAt,
    ...(options.version === undefined ? {} : { version: options.version }),
  };
  const release = async (): Promise<void> => {
    ownerLocksHeldHere.delete(lock.nonce);
    const published = await readRecord(paths);
    if (published?.instanceId === lock.instanceId)
      await unlink(paths.runtimeRecord).catch(() => undefined);
    await removeLockIfContent(paths.ownerLock, content);
  };
  try {
    await writeRecord(paths, record);
  } catch (err) {
    await release();
    throw err;
  }
  return {
    get record() {
      return record;
    },
    async setPort(port) {
      if ((await readLock(paths.ownerLock)) !== content) {
        throw new Error(
          `${paths.ownerLock} is no longer held by this process; not publishing port ${port}`,
        );
      }
      const next = RuntimeRecord.safeParse({ ...record, port });
      if (!next.success) throw new Error(`invalid port ${port}: ${describeZodError(next.error)}`);
      await writeRecord(paths, next.data);
      record = next.data;
    },
    release,
  };
}

/** The live owner's runtime record, or null when no live process owns the host. */
export async function readLiveOwner(
  paths: Paths,
  options: Partial<Pick<OwnershipOptions, 'platform' | 'processStartTime' | 'processAlive'>> = {},
): Promise<RuntimeRecord | null> {
  const current = await readLock(paths.ownerLock);
  // Stryker disable next-line ConditionalExpression: parseJsonWith(null) is null too; the test is for the type
  const holder = current === null ? null : parseJsonWith(OwnerLock, current);
  if (!holder || !(await isLiveOwner(holder, startTimeLookup(options), livenessLookup(options))))
    return null;
  return recordOf(paths, holder);
}

function livenessLookup(
  options: Pick<OwnershipOptions, 'platform' | 'processAlive'>,
): ProcessLiveness {
  return options.processAlive ?? processLivenessFor(options.platform ?? process.platform);
}

function startTimeLookup(
  options: Pick<OwnershipOptions, 'platform' | 'processStartTime'>,
): ProcessStartTime {
  return options.processStartTime ?? processStartTimeFor(options.platform ?? process.platform);
}

/** The holder's published record; until it is written, what the lock itself says (no port yet). */
async function recordOf(paths: Paths, holder: OwnerLock): Promise<RuntimeRecord> {
  const published = await readRecord(paths);
  if (published?.instanceId === holder.instanceId && published.pid === holder.pid) return published;
  const { pid, instanceId, host, startedAt } = holder;
  return { pid, port: null, instanceId, host, startedAt };
}

async function readRecord(paths: Paths): Promise<RuntimeRecord | null> {
  // Stryker disable next-line StringLiteral,ArrowFunction: a Buffer or undefined parses to the same record or null
  const text = await readFile(paths.runtimeRecord, 'utf8').catch(() => null);
  // Stryker disable next-line ConditionalExpression: parseJsonWith(null) is null too; the test is for the type
  return text === null ? null : parseJsonWith(RuntimeRecord, text);
}

function writeRecord(paths: Paths, record: RuntimeRecord): Promise<void> {
  return writeFileAtomic(paths.runtimeRecord, JSON.stringify(record, null, 2), 0o600);
}
