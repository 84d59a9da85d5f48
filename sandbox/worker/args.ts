// The simulator's argv, exactly as the contract's §3.1 invokes the real pipedai-worker.
// `--flag value` and `--flag=value` are both accepted (the real CLI is a commander program).
import { z } from 'zod';
import { describeZodError } from '../../app/shared/errors.ts';
import { scrubTokens } from '../../app/shared/util.ts';

export type Command =
  | { kind: 'version' }
  | { kind: 'help' }
  | {
      kind: 'register';
      token: string;
      apiUrl: string;
      configPath: string;
      hostname: string;
      pool: boolean;
    }
  | { kind: 'run'; configPath: string };

export type ParsedArgs = { ok: true; command: Command } | { ok: false; error: string };

export const USAGE = [
  'usage: pipedai-worker version | --version',
  '       pipedai-worker register --token <wrk_…|pool_…> --api-url <url> --config <path> --hostname <name> [--pool]',
  '       pipedai-worker run --config <path>',
].join('\n');

const HttpUrl = z
  .string()
  .refine(
    (s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol),
    'must be an http(s) URL',
  );

const required = () => z.string({ error: 'is required' }).min(1, 'is required');

const RegisterFlags = z.object({
  token: required(),
  'api-url': required().pipe(HttpUrl),
  config: required(),
  hostname: required().max(255),
  pool: z.boolean(),
});

const RunFlags = z.object({ config: required() });

/** Echo a user-typed word in an error without ever echoing a token. */
const quote = (word: string) => `'${scrubTokens(word.slice(0, 40))}'`;

interface FlagSpec {
  values: readonly string[];
  booleans: readonly string[];
}

/** Flags of one command into a record; unknown, repeated or valueless flags and positionals are errors. */
function readFlags(
  args: readonly string[],
  spec: FlagSpec,
): { ok: true; flags: Record<string, string | boolean> } | { ok: false; error: string } {
  const flags: Record<string, string | boolean> = {};
  for (const name of spec.booleans) flags[name] = false;
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    // Positionals are never echoed: a misplaced token would land in the message.
    if (!arg.startsWith('--'))
      return { ok: false, error: `unexpected argument at position ${i + 2}` };
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (seen.has(name)) return { ok: false, error: `--${name} given twice` };
    seen.add(name);
    if (spec.booleans.includes(name)) {
      if (eq >= 0) return { ok: false, error: `--${name} takes no value` };
      flags[name] = true;
      continue;
    }
    if (!spec.values.includes(name))
      return { ok: false, error: `unknown option ${quote(`--${name}`)}` };
    if (eq >= 0) {
      flags[name] = arg.slice(eq + 1);
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--'))
      return { ok: false, error: `--${name} needs a value` };
    flags[name] = value;
    i++;
  }
  return { ok: true, flags };
}

/** Zod issues name the flag (`--api-url: must be an http(s) URL`); no value is echoed (a token may be one). */
function flagError(error: z.ZodError): string {
  return describeZodError(error).replace(/(^|; )([a-z-]+):/g, '$1--$2:');
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  switch (command) {
    case 'version':
    case '--version':
    case '-V':
      return rest.length === 0
        ? { ok: true, command: { kind: 'version' } }
        : { ok: false, error: `${command} takes no arguments` };
    case 'help':
    case '--help':
    case '-h':
      return { ok: true, command: { kind: 'help' } };
    case 'register': {
      const read = readFlags(rest, {
        values: ['token', 'api-url', 'config', 'hostname'],
        booleans: ['pool'],
      });
      if (!read.ok) return read;
      const parsed = RegisterFlags.safeParse(read.flags);
      if (!parsed.success) return { ok: false, error: flagError(parsed.error) };
      const f = parsed.data;
      return {
        ok: true,
        command: {
          kind: 'register',
          token: f.token,
          apiUrl: f['api-url'],
          configPath: f.config,
          hostname: f.hostname,
          pool: f.pool,
        },
      };
    }
    case 'run': {
      const read = readFlags(rest, { values: ['config'], booleans: [] });
      if (!read.ok) return read;
      const parsed = RunFlags.safeParse(read.flags);
      if (!parsed.success) return { ok: false, error: flagError(parsed.error) };
      return { ok: true, command: { kind: 'run', configPath: parsed.data.config } };
    }
    case undefined:
      return { ok: false, error: 'no command given' };
    default:
      return { ok: false, error: `unknown command ${quote(command)}` };
  }
}
