// Device pairing run by the daemon, so the dashboard can "Connect this host": start, expose the
// user code, wait in the background, persist on approval.
import { randomUUID } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import {
  errorMessage,
  CommandError,
  normalizeApiUrl,
  type CommandArgs,
  type PairingStart,
  type PairingStatus,
} from '../../../shared/index.ts';
import { startDevicePairing, type EnrollmentClient } from '../api/index.ts';
import { persistEnrollment, type EnrollmentStores } from '../enroll/persist.ts';

const MAX_PAIRINGS = 4;
/** A finished pairing is remembered this long, for the page that asks after it. */
const KEEP_FINISHED_MS = 10 * 60_000;

interface Pairing {
  status: PairingStatus;
  abort: AbortController;
  finishedAt: number | null;
}

/** The worker runtime as pairing needs it: get it ready while a person approves. */
export interface PairingRuntime {
  /** The version sent in redeem (§2.3): the runtime's, or `unknown`. */
  reportedVersion(): Promise<string>;
  /** Start installing what a new worker will run, in the background (failures are kept). */
  prepare(): void;
  /**
   * Pin the new worker to it (joining the install in flight) and start it; throws when the
   * runtime cannot be had.
   */
  ensureFor(workerId: string): Promise<void>;
}

export interface PairingDeps {
  client: EnrollmentClient;
  stores: EnrollmentStores;
  runtime: PairingRuntime;
  /** Supervise the new worker and push status. */
  afterEnrolled: (workerId: string, reused: boolean) => Promise<void>;
  /** A worker that got enrolled but whose runtime could not be installed (it waits, retryable). */
  onRuntimeFailed: (workerId: string, error: unknown) => void;
  onChange: (pairingId: string, status: PairingStatus) => void;
  now: () => number;
}

export interface Pairings {
  start(input: CommandArgs<'startPairing'>): Promise<PairingStart>;
  status(pairingId: string): PairingStatus;
  cancel(pairingId: string): { ok: true };
  close(): void;
}

export function createPairings(deps: PairingDeps): Pairings {
  const pairings = new Map<string, Pairing>();

  const prune = (): void => {
    for (const [id, p] of pairings)
      if (p.finishedAt !== null && deps.now() - p.finishedAt > KEEP_FINISHED_MS)
        pairings.delete(id);
  };
  const finish = (id: string, p: Pairing, status: PairingStatus): void => {
    p.status = status;
    p.finishedAt = deps.now();
    deps.onChange(id, status);
  };

  return {
    async start(input) {
      prune();
      const live = [...pairings.values()].filter((p) => p.finishedAt === null).length;
      if (live >= MAX_PAIRINGS)
        throw new CommandError('conflict', 'too many pairings waiting; cancel one first');
      const apiUrl = normalizeApiUrl(input.apiUrl);
      const hostname = osHostname();
      let pairing;
      try {
        pairing = await startDevicePairing(deps.client, apiUrl, {
          ...(input.label ? { label: input.label } : {}),
          hostInfo: {
            hostname,
            os: process.platform,
            version: await deps.runtime.reportedVersion(),
          },
        });
      } catch (e) {
        throw new CommandError(
          'upstream',
          `could not start pairing with ${apiUrl}: ${errorMessage(e)}`,
        );
      }
      // The download overlaps the person's approval in the browser.
      deps.runtime.prepare();
      const id = randomUUID();
      const p: Pairing = {
        status: { state: 'waiting' },
        abort: new AbortController(),
        finishedAt: null,
      };
      pairings.set(id, p);
      void pairing
        .wait(p.abort.signal)
        .then(async (result) => {
          const { entry, reused } = await persistEnrollment(deps.stores, result, {
            ...(input.label ? { label: input.label } : {}),
            hostname,
          });
          await deps.afterEnrolled(entry.id, reused);
          finish(id, p, { state: 'approved', workerId: entry.id });
          // The worker shows at once (waiting for its runtime, with the install's progress);
          // whatever happens to the install, the entry is kept, and a failure offers a retry.
          void deps.runtime
            .ensureFor(entry.id)
            .catch((e: unknown) => deps.onRuntimeFailed(entry.id, e));
        })
        .catch((e: unknown) => {
          const message = errorMessage(e);
          finish(id, p, { state: 'failed', error: message });
        });
      return {
        pairingId: id,
        userCode: pairing.userCode,
        verificationUri: pairing.verificationUri,
        verificationUriComplete: pairing.verificationUriComplete,
        expiresAt: pairing.expiresAt,
      };
    },
    status(pairingId) {
      const p = pairings.get(pairingId);
      if (!p) throw new CommandError('not-found', `no pairing ${pairingId}`, 'pairingId');
      return p.status;
    },
    cancel(pairingId) {
      const p = pairings.get(pairingId);
      if (!p) throw new CommandError('not-found', `no pairing ${pairingId}`, 'pairingId');
      p.abort.abort();
      return { ok: true };
    },
    close() {
      for (const p of pairings.values()) p.abort.abort();
    },
  };
}
