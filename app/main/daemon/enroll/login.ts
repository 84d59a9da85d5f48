// `login` (contract §8.11): store an operator credential by hand. Accepts the `hos_` tokens that
// `connect` itself stores.
import { CommandError, normalizeApiUrl } from '../../../shared/index.ts';
import type { CredentialsPort } from '../deps.ts';

export type LoginScope = 'workspace' | 'pool';
const PREFIXES: Record<LoginScope, readonly string[]> = {
  workspace: ['pwk_', 'hos_'],
  pool: ['pop_'],
};

export async function login(
  credentials: CredentialsPort,
  apiUrl: string,
  token: string,
  scope: LoginScope,
): Promise<{ apiUrl: string; scope: LoginScope }> {
  const url = normalizeApiUrl(apiUrl);
  const t = token.trim();
  if (t === '')
    throw new CommandError(
      'bad-request',
      'no token given: pass --token, set PIPEDAI_OPERATOR_TOKEN, or pipe it on stdin',
      'token',
    );
  const allowed = PREFIXES[scope];
  if (!allowed.some((p) => t.startsWith(p))) {
    throw new CommandError(
      'bad-request',
      `a ${scope} credential starts with ${allowed.join(' or ')}; got ${t.slice(0, 4)}…`,
      'token',
    );
  }
  if (scope === 'pool') await credentials.setPoolReadToken(url, t);
  else await credentials.setOperatorToken(url, t);
  return { apiUrl: url, scope };
}
