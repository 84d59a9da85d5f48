// The daemon proves itself before a client hands it the local token. Any local user can listen on
// a loopback port the daemon has left (or never took), so a port alone proves nothing: the client
// sends a fresh random challenge, and only a process that holds the token can answer it with
// HMAC-SHA256(token, challenge + the port it listens on). Binding the port stops a squatter from
// relaying the challenge to the real daemon on another port and passing its answer on.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Answered before the token check: the one route a client calls without its token. */
export const PROOF_PATH = '/api/proof';

/** 32 random bytes, base64url. */
export const Challenge = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes, base64url');
export const ProofAnswer = z.object({ proof: z.string().regex(/^[0-9a-f]{64}$/) });

export function newChallenge(): string {
  return randomBytes(32).toString('base64url');
}

/** What the daemon listening on `port` answers to `challenge`. */
export function proofFor(token: string, port: number, challenge: string): string {
  return createHmac('sha256', token)
    .update(`pipedai-control-proof/1\n127.0.0.1:${port}\n${challenge}`)
    .digest('hex');
}

export function proofMatches(
  answer: string,
  token: string,
  port: number,
  challenge: string,
): boolean {
  const expected = Buffer.from(proofFor(token, port, challenge), 'hex');
  const given = Buffer.from(answer, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
