// Host enrollment (contract §2.3): RFC 8628 device pairing and pre-issued `enr_` codes. A
// successful redeem registers (or re-uses, same workspace + hostname) a workspace worker and
// issues its `wkt_` plus a `hos_` operator credential.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DeviceStartResponse, RedeemResponse } from '../../app/shared/index.ts';
import { ApiError, parseBody } from './errors.ts';
import {
  DEFAULT_WORKSPACE_ID,
  ensureWorkspace,
  type DeviceEnrollment,
  type Model,
} from './state.ts';
import { hashToken, type TokenBook } from './tokens.ts';
import type { Workers } from './workers.ts';

/** RFC 8628 §6.1: consonants only, so a user code never spells a word. */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
/** Clients time their polls from the previous answer; allow for timer and scheduling jitter. */
export const SLOW_DOWN_GRACE_MS = 100;
/** RFC 8628 adds 5 s per slow_down; the reference client caps its interval at 60 s, so do we. */
export const MAX_INTERVAL_SEC = 60;

const HostInfo = {
  hostname: z.string().min(1).max(255),
  os: z.string().min(1).max(64),
  version: z.string().min(1).max(64),
  label: z.string().min(1).max(200).optional(),
};
const CodeRedeem = z.object({ code: z.string().min(1).max(512), ...HostInfo });
const DeviceRedeem = z.object({ deviceCode: z.string().min(1).max(512), ...HostInfo });

/** Upper-case, dash and blanks removed: `bcdf-ghjk` matches `BCDFGHJK`. */
export function normalizeUserCode(input: string): string {
  return input.toUpperCase().replace(/[-\s]/g, '');
}
export const formatUserCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;

export interface Enrollment {
  startDevice(label: string | undefined): DeviceStartResponse;
  redeem(rawBody: unknown): RedeemResponse;
  decide(userCode: string, decision: 'approve' | 'deny', workspaceId?: string): DeviceEnrollment;
  issueCode(workspaceId: string, ttlMs: number): { code: string; expiresAt: string };
}

export function createEnrollment(deps: {
  model: Model;
  now: () => number;
  url: () => string;
  tokens: TokenBook;
  workers: Workers;
  deviceIntervalSec: number;
  deviceTtlSec: number;
  changed: () => void;
}): Enrollment {
  const { model, now } = deps;

  const newUserCode = (): string => {
    const taken = new Set([...model.devices.values()].map((d) => d.userCode));
    for (;;) {
      let code = '';
      for (let i = 0; i < 8; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
      if (!taken.has(code)) return code;
    }
  };

  const complete = (
    workspaceId: string,
    host: z.infer<typeof CodeRedeem> | z.infer<typeof DeviceRedeem>,
    fallbackLabel: string | null,
  ): RedeemResponse => {
    const workspace = ensureWorkspace(model, workspaceId, now());
    const { worker, workerToken } = deps.workers.register({
      workspaceId,
      pool: false,
      hostname: host.hostname,
      authMode: workspace.authMode,
      label: host.label ?? fallbackLabel,
      os: host.os,
      version: host.version,
    });
    const { token: operatorToken } = deps.tokens.mint('hos', { workspaceId });
    deps.changed();
    return {
      workerId: worker.id,
      workerToken,
      operatorToken,
      apiUrl: deps.url(),
      workspaceId,
      environmentId: workspace.environmentId,
      authMode: workspace.authMode,
    };
  };

  const redeemCode = (body: z.infer<typeof CodeRedeem>): RedeemResponse => {
    const record = deps.tokens.find(body.code);
    if (!record || record.kind !== 'enr' || record.revokedAt !== null) {
      throw new ApiError(404, 'invalid_code', { message: 'unknown enrollment code' });
    }
    if (record.consumedAt !== null) throw new ApiError(409, 'code_consumed');
    if (deps.tokens.isExpired(record)) throw new ApiError(410, 'expired_token');
    record.consumedAt = now();
    return complete(record.workspaceId ?? DEFAULT_WORKSPACE_ID, body, record.label);
  };

  const redeemDevice = (body: z.infer<typeof DeviceRedeem>): RedeemResponse => {
    const codeHash = hashToken(body.deviceCode);
    const device = [...model.devices.values()].find((d) => d.deviceCodeHash === codeHash);
    if (!device) throw new ApiError(404, 'invalid_code', { message: 'unknown device code' });
    if (device.status === 'consumed') throw new ApiError(409, 'code_consumed');
    const t = now();
    if (t >= device.expiresAt) throw new ApiError(410, 'expired_token');
    if (device.status === 'denied') throw new ApiError(403, 'access_denied');
    if (device.status === 'pending') {
      const tooSoon =
        device.lastPollAt !== null &&
        t - device.lastPollAt < device.intervalSec * 1000 - SLOW_DOWN_GRACE_MS;
      device.lastPollAt = t;
      deps.changed();
      if (tooSoon) {
        device.intervalSec = Math.min(MAX_INTERVAL_SEC, device.intervalSec + 5);
        throw new ApiError(400, 'slow_down', { interval: device.intervalSec });
      }
      throw new ApiError(400, 'authorization_pending');
    }
    device.status = 'consumed';
    const result = complete(device.workspaceId ?? DEFAULT_WORKSPACE_ID, body, device.label);
    device.workerId = result.workerId;
    return result;
  };

  return {
    startDevice(label) {
      const deviceCode = randomBytes(32).toString('base64url');
      const createdAt = now();
      const device: DeviceEnrollment = {
        id: randomUUID(),
        deviceCodeHash: hashToken(deviceCode),
        userCode: newUserCode(),
        label: label ?? null,
        status: 'pending',
        workspaceId: null,
        intervalSec: deps.deviceIntervalSec,
        lastPollAt: null,
        workerId: null,
        createdAt,
        expiresAt: createdAt + deps.deviceTtlSec * 1000,
      };
      model.devices.set(device.id, device);
      deps.changed();
      const userCode = formatUserCode(device.userCode);
      const verificationUri = `${deps.url()}/device`;
      return {
        id: device.id,
        deviceCode,
        userCode,
        verificationUri,
        verificationUriComplete: `${verificationUri}?user_code=${userCode}`,
        interval: device.intervalSec,
        expiresAt: new Date(device.expiresAt).toISOString(),
      };
    },
    redeem(rawBody) {
      const isObject = typeof rawBody === 'object' && rawBody !== null;
      const hasDevice = isObject && 'deviceCode' in rawBody;
      if (hasDevice && 'code' in rawBody) {
        throw new ApiError(400, 'invalid_request', {
          field: 'code',
          message: 'send code or deviceCode, not both',
        });
      }
      return hasDevice
        ? redeemDevice(parseBody(DeviceRedeem, rawBody))
        : redeemCode(parseBody(CodeRedeem, rawBody));
    },
    decide(userCode, decision, workspaceId) {
      const normalized = normalizeUserCode(userCode);
      const device = [...model.devices.values()].find((d) => d.userCode === normalized);
      if (!device) throw new ApiError(404, 'invalid_code', { message: 'unknown user code' });
      if (now() >= device.expiresAt) throw new ApiError(410, 'expired_token');
      if (device.status !== 'pending') {
        throw new ApiError(409, 'already_decided', { status: device.status });
      }
      device.status = decision === 'approve' ? 'approved' : 'denied';
      if (decision === 'approve') {
        device.workspaceId = workspaceId ?? DEFAULT_WORKSPACE_ID;
        ensureWorkspace(model, device.workspaceId, now());
      }
      deps.changed();
      return device;
    },
    issueCode(workspaceId, ttlMs) {
      ensureWorkspace(model, workspaceId, now());
      const { token, record } = deps.tokens.mint('enr', { workspaceId, ttlMs });
      return { code: token, expiresAt: new Date(record.expiresAt ?? 0).toISOString() };
    },
  };
}
