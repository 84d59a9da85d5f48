// The desktop app's environment knobs, parsed (never cast): a bad value is an error naming the
// variable. None is needed in production; tests and developers use them.
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { CommandError, describeZodError, normalizeApiUrl } from '../../../shared/index.ts';

const blankIsUnset = (v: unknown): unknown =>
  typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v;

const ShellEnvSchema = z.object({
  /** Control server port of the owning app (default 4599, then any free port). */
  PIPEDAI_CONTROL_PORT: z.preprocess(
    blankIsUnset,
    z.coerce.number().int().min(0).max(65535).optional(),
  ),
  /** Electron's userData folder (UI preferences, the single-instance lock): one per test run. */
  PIPEDAI_USER_DATA_DIR: z.preprocess(
    blankIsUnset,
    z.string().refine(isAbsolute, 'must be an absolute path').optional(),
  ),
  /** pipedai-api that "Connect this host" pairs with. */
  PIPEDAI_API_URL: z.preprocess(blankIsUnset, z.url().optional()),
  /** A generic update feed (a folder with latest*.yml) in place of the one built in. */
  PIPEDAI_UPDATE_URL: z.preprocess(
    blankIsUnset,
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  ),
});

export interface ShellEnv {
  controlPort: number | undefined;
  userDataDir: string | undefined;
  apiUrl: string | undefined;
  updateUrl: string | undefined;
}

export function parseShellEnv(env: Readonly<Record<string, string | undefined>>): ShellEnv {
  const parsed = ShellEnvSchema.safeParse({
    PIPEDAI_CONTROL_PORT: env.PIPEDAI_CONTROL_PORT,
    PIPEDAI_USER_DATA_DIR: env.PIPEDAI_USER_DATA_DIR,
    PIPEDAI_API_URL: env.PIPEDAI_API_URL,
    PIPEDAI_UPDATE_URL: env.PIPEDAI_UPDATE_URL,
  });
  if (!parsed.success) {
    // Stryker disable next-line StringLiteral,OptionalChaining: a failed parse has an issue, on one of the named fields (the input is always this object)
    const field = String(parsed.error.issues[0]?.path[0] ?? 'environment');
    throw new CommandError('bad-request', describeZodError(parsed.error), field);
  }
  const d = parsed.data;
  return {
    controlPort: d.PIPEDAI_CONTROL_PORT,
    userDataDir: d.PIPEDAI_USER_DATA_DIR,
    apiUrl: d.PIPEDAI_API_URL === undefined ? undefined : normalizeApiUrl(d.PIPEDAI_API_URL),
    updateUrl: d.PIPEDAI_UPDATE_URL,
  };
}
