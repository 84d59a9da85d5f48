// credentials.json (§4.3): the dashboard's local token and the operator / pool-read tokens per
// apiUrl. Secrets: 0600 in a 0700 folder, and no token ever appears in an error message.
import { randomBytes } from 'node:crypto';
import { normalizeApiUrl } from '../../../shared/util.ts';
import { Credentials } from '../../../shared/state.ts';
import { pathExists } from './exists.ts';
import { JsonFile } from './json-file.ts';

/** `oct_` + 32 random bytes in base64url (43 characters). */
export function newLocalToken(): string {
  return `oct_${randomBytes(32).toString('base64url')}`;
}

export class CredentialsStore {
  readonly file: JsonFile<Credentials>;

  constructor(path: string) {
    // A missing file reads as fresh credentials that only `ensure` or a setter persists.
    this.file = new JsonFile(path, Credentials, { empty: fresh });
  }

  /** The credentials, creating the file with a fresh local token on first need (stable after). */
  async ensure(): Promise<Credentials> {
    if (await pathExists(this.file.path)) return this.file.read();
    // Under the file's lock: of two processes creating it at once, the second keeps the first's token.
    return this.file.update((current) => current);
  }

  async localToken(): Promise<string> {
    return (await this.ensure()).localToken;
  }

  async operatorToken(apiUrl: string): Promise<string | null> {
    return (await this.file.read()).operators[normalizeApiUrl(apiUrl)] ?? null;
  }

  async setOperatorToken(apiUrl: string, token: string): Promise<void> {
    const key = normalizeApiUrl(apiUrl);
    await this.file.update((c) => ({ ...c, operators: { ...c.operators, [key]: token } }));
  }

  async poolReadToken(apiUrl: string): Promise<string | null> {
    return (await this.file.read()).poolReadTokens[normalizeApiUrl(apiUrl)] ?? null;
  }

  async setPoolReadToken(apiUrl: string, token: string): Promise<void> {
    const key = normalizeApiUrl(apiUrl);
    await this.file.update((c) => ({
      ...c,
      poolReadTokens: { ...c.poolReadTokens, [key]: token },
    }));
  }
}

function fresh(): Credentials {
  return { version: 1, localToken: newLocalToken(), operators: {}, poolReadTokens: {} };
}
