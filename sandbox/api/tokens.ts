// Token issue, lookup and bearer checks. Plaintexts leave this module only as return values of
// `mint` (answered once to the caller); the model keeps a SHA-256 hash and the last four.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { forbidden, unauthorized } from './errors.ts';
import type { Model, TokenKind, TokenRecord } from './state.ts';

/** The platform-admin prefix is not visible in the reference package: `adm_` is ours. */
export const TOKEN_PREFIX: Record<TokenKind, string> = {
  enr: 'enr_',
  wrk: 'wrk_',
  pool: 'pool_',
  wkt: 'wkt_',
  hos: 'hos_',
  pwk: 'pwk_',
  pop: 'pop_',
  admin: 'adm_',
};

export const hashToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

export interface MintOptions {
  workspaceId?: string | null;
  workerId?: string | null;
  label?: string | null;
  ttlMs?: number | null;
}

export interface TokenBook {
  mint(kind: TokenKind, options?: MintOptions): { token: string; record: TokenRecord };
  /** The record of a token plaintext, whatever its state (revoked, expired, consumed). */
  find(token: string): TokenRecord | undefined;
  isExpired(record: TokenRecord): boolean;
  /** Revoke every live `wkt_` of a worker (deregistration, re-registration). */
  revokeWorkerTokens(workerId: string): void;
  /**
   * The live token of `Authorization: Bearer …` among `kinds`: 401 when missing, unknown,
   * revoked or expired; 403 when it is a known token of another kind.
   */
  authenticate(req: IncomingMessage, kinds: readonly TokenKind[]): TokenRecord;
}

export function bearerOf(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1] ?? null;
}

export function createTokenBook(model: Model, now: () => number, changed: () => void): TokenBook {
  const isExpired = (r: TokenRecord) => r.expiresAt !== null && r.expiresAt <= now();
  return {
    isExpired,
    mint(kind, options = {}) {
      const token = TOKEN_PREFIX[kind] + randomBytes(32).toString('base64url');
      const createdAt = now();
      const record: TokenRecord = {
        id: randomUUID(),
        kind,
        hash: hashToken(token),
        lastFour: token.slice(-4),
        workspaceId: options.workspaceId ?? null,
        workerId: options.workerId ?? null,
        label: options.label ?? null,
        createdAt,
        expiresAt: options.ttlMs == null ? null : createdAt + options.ttlMs,
        consumedAt: null,
        revokedAt: null,
      };
      model.tokens.set(record.hash, record);
      changed();
      return { token, record };
    },
    find(token) {
      return model.tokens.get(hashToken(token));
    },
    revokeWorkerTokens(workerId) {
      for (const record of model.tokens.values()) {
        if (record.kind === 'wkt' && record.workerId === workerId && record.revokedAt === null) {
          record.revokedAt = now();
        }
      }
      changed();
    },
    authenticate(req, kinds) {
      const token = bearerOf(req);
      if (!token) throw unauthorized('missing bearer token');
      const record = model.tokens.get(hashToken(token));
      if (!record || record.revokedAt !== null || isExpired(record)) {
        throw unauthorized('unknown, revoked or expired token');
      }
      if (!kinds.includes(record.kind)) {
        throw forbidden(`this endpoint does not accept ${TOKEN_PREFIX[record.kind]} tokens`);
      }
      return record;
    },
  };
}
