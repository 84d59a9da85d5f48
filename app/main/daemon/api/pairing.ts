// Host enrollment (contract §2.3, §8.10 steps 1–4): flow A redeems a pre-issued code once; flow B
// pairs the device per RFC 8628, polling redeem until the operator approves, within a deadline.
import {
  errorMessage,
  tokenHint,
  type DeviceStartResponse,
  type RedeemResponse,
} from '../../../shared/index.ts';
import type { ApiClient } from './client.ts';
import { ApiError, safeText } from './errors.ts';
import { sleep as realSleep, type Sleep } from './sleep.ts';

export type PairingFailure = 'expired' | 'denied' | 'invalid' | 'consumed' | 'aborted' | 'failed';

/** A terminal enrollment outcome; the message is safe to print (no device code, enrollment code scrubbed). */
export class PairingError extends Error {
  readonly reason: PairingFailure;
  constructor(reason: PairingFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PairingError';
    this.reason = reason;
  }
}

/** What redeem sends about this host (§2.3): `os.hostname()`, `process.platform`, worker version or `unknown`. */
export interface HostInfo {
  hostname: string;
  os: string;
  version: string;
}

export type EnrollmentClient = Pick<ApiClient, 'deviceStart' | 'redeem'>;

export const MIN_INTERVAL_SEC = 1;
export const MAX_INTERVAL_SEC = 60;
export const SLOW_DOWN_STEP_SEC = 5;
export const DEFAULT_MAX_WAIT_MS = 30 * 60_000;

export interface DevicePairingOptions {
  label?: string;
  hostInfo: HostInfo;
  /** Called with the new poll interval after each `slow_down`. */
  onSlowDown?: (intervalSec: number) => void;
  /** Wall clock in epoch ms (compared with the server's `expiresAt`). */
  now?: () => number;
  sleep?: Sleep;
  /** Never wait longer than this, whatever `expiresAt` says. */
  maxWaitMs?: number;
}

export interface DevicePairing {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresAt: string;
  /** Poll until approved; rejects with a PairingError. Call it once. */
  wait(signal?: AbortSignal): Promise<RedeemResponse>;
}

export async function startDevicePairing(
  client: EnrollmentClient,
  apiUrl: string,
  opts: DevicePairingOptions,
): Promise<DevicePairing> {
  const now = opts.now ?? Date.now;
  let start: DeviceStartResponse;
  try {
    start = await client.deviceStart(apiUrl, { label: opts.label });
  } catch (e) {
    throw new PairingError('failed', `could not start device pairing: ${messageOf(e, [])}`, {
      cause: e,
    });
  }
  const expiresAtMs = Date.parse(start.expiresAt);
  if (Number.isNaN(expiresAtMs)) {
    throw new PairingError(
      'failed',
      'could not start device pairing: the API answered an invalid expiresAt',
    );
  }
  const deadline = Math.min(expiresAtMs, now() + (opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS));
  let waited = false;
  return {
    userCode: start.userCode,
    verificationUri: start.verificationUri,
    verificationUriComplete: start.verificationUriComplete,
    expiresAt: start.expiresAt,
    wait(signal) {
      if (waited)
        return Promise.reject(
          new PairingError('failed', 'this pairing is already being waited for'),
        );
      waited = true;
      return pollRedeem({
        client,
        apiUrl,
        start,
        deadline,
        opts,
        now,
        sleep: opts.sleep ?? realSleep,
        signal,
      });
    },
  };
}

interface PollContext {
  client: EnrollmentClient;
  apiUrl: string;
  start: DeviceStartResponse;
  deadline: number;
  opts: DevicePairingOptions;
  now: () => number;
  sleep: Sleep;
  signal: AbortSignal | undefined;
}

const DEVICE_MESSAGES: Record<Exclude<PairingFailure, 'failed'>, string> = {
  expired: 'the pairing code expired before it was approved; start pairing again',
  denied: 'the pairing request was denied or revoked in the PipedAI dashboard',
  invalid: 'the pairing code is not valid',
  consumed: 'the pairing code was already used',
  aborted: 'pairing was cancelled',
};

async function pollRedeem(c: PollContext): Promise<RedeemResponse> {
  const { deviceCode } = c.start;
  const body = { deviceCode, ...c.opts.hostInfo, label: c.opts.label };
  let intervalSec = clamp(c.start.interval || 5, MIN_INTERVAL_SEC, MAX_INTERVAL_SEC);
  for (;;) {
    if (c.signal?.aborted) throw new PairingError('aborted', DEVICE_MESSAGES.aborted);
    if (c.now() >= c.deadline) throw new PairingError('expired', DEVICE_MESSAGES.expired);
    try {
      return await redeemBefore(c, body);
    } catch (e) {
      if (c.signal?.aborted) throw new PairingError('aborted', DEVICE_MESSAGES.aborted);
      const decision = classify(e);
      if (decision === 'slow_down') {
        intervalSec = Math.min(intervalSec + SLOW_DOWN_STEP_SEC, MAX_INTERVAL_SEC);
        c.opts.onSlowDown?.(intervalSec);
      } else if (decision !== 'keep-polling') {
        const message =
          decision === 'failed'
            ? `pairing failed: ${messageOf(e, [deviceCode])}`
            : DEVICE_MESSAGES[decision];
        throw new PairingError(decision, message, { cause: e });
      }
    }
    await c.sleep(Math.min(intervalSec * 1000, Math.max(0, c.deadline - c.now())), c.signal);
  }
}

/** One redeem poll, cut off at the deadline so a hung call cannot outlive the code. */
async function redeemBefore(
  c: PollContext,
  body: Parameters<EnrollmentClient['redeem']>[1],
): Promise<RedeemResponse> {
  const cutoff = new AbortController();
  const timer = setTimeout(() => cutoff.abort(), Math.max(0, c.deadline - c.now()));
  try {
    return await c.client.redeem(c.apiUrl, body, {
      signal: c.signal ? AbortSignal.any([c.signal, cutoff.signal]) : cutoff.signal,
    });
  } finally {
    clearTimeout(timer);
  }
}

type Decision = 'keep-polling' | 'slow_down' | Exclude<PairingFailure, 'aborted'>;

/** The contract's redeem error table (§2.3). */
function classify(e: unknown): Decision {
  if (!(e instanceof ApiError)) return 'failed';
  if (e.kind === 'network') return 'keep-polling';
  if (e.kind !== 'http') return 'failed';
  switch (e.status) {
    case 400:
      if (e.code === 'authorization_pending') return 'keep-polling';
      if (e.code === 'slow_down') return 'slow_down';
      return 'failed';
    case 410:
      return 'expired';
    case 403:
      return 'denied';
    case 404:
      return 'invalid';
    case 409:
      return 'consumed';
    default:
      return 'failed';
  }
}

/** Flow A: redeem a pre-issued enrollment code once; every error is terminal. */
export async function redeemEnrollmentCode(
  client: EnrollmentClient,
  apiUrl: string,
  code: string,
  hostInfo: HostInfo,
  opts: { label?: string; signal?: AbortSignal } = {},
): Promise<RedeemResponse> {
  try {
    return await client.redeem(
      apiUrl,
      { code, ...hostInfo, label: opts.label },
      { signal: opts.signal },
    );
  } catch (e) {
    const hint = tokenHint(code);
    const decision = classify(e);
    const reason: PairingFailure = opts.signal?.aborted
      ? 'aborted'
      : decision === 'keep-polling' || decision === 'slow_down'
        ? 'failed'
        : decision;
    const fixed: Record<Exclude<PairingFailure, 'failed'>, string> = {
      expired: `enrollment code ${hint} has expired`,
      denied: `enrollment code ${hint} was revoked or is not allowed`,
      invalid: `enrollment code ${hint} is not valid`,
      consumed: `enrollment code ${hint} was already used`,
      aborted: 'enrollment was cancelled',
    };
    const message =
      reason === 'failed'
        ? `enrollment with code ${hint} failed: ${messageOf(e, [code])}`
        : fixed[reason];
    throw new PairingError(reason, message, { cause: e });
  }
}

function messageOf(e: unknown, secrets: string[]): string {
  return safeText(errorMessage(e), secrets);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), hi);
}
