// What every unit runs and with which environment, whatever the OS: `<node> <cli realpath> start`
// (or, from a desktop package, its launcher: `<launcher realpath> start`),
// a PATH that finds node, npm and pipedai-worker without a login shell, and the installer's
// PIPEDAI_HOME / PIPEDAI_WORKER_BIN so the service uses the operator's state.
import { posix, win32 } from 'node:path';
import { z } from 'zod';
import { describeZodError, LOG_FORMATS } from '../../shared/index.ts';
import { drainCeilingMs } from '../daemon/client.ts';
import { hasControlCharacter } from './escape.ts';
import { stopTimeouts, type StopTimeouts } from './stop-timeouts.ts';
import { SERVICE_MANAGER_ENV, type ServiceManagerKind } from './manager-kind.ts';
import type { TemplateName } from './render.ts';
import type { ServiceFs, ServiceRunner } from './types.ts';

export function pathApi(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

const blankToUndefined = (v: unknown): unknown =>
  typeof v === 'string' && v.trim() === '' ? undefined : v;
const text = z.preprocess(
  blankToUndefined,
  z
    .string()
    .refine((v) => !hasControlCharacter(v), 'contains a control character')
    .optional(),
);
const POSIX_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?$/;
/** SUDO_USER goes into `User=` and names a state folder: a malformed one is an error, not a guess. */
export const SudoUserSchema = z.preprocess(
  blankToUndefined,
  z.string().regex(POSIX_USER, 'not a valid user name').optional(),
);

/** The knobs of the installer's environment that reach a unit, parsed (they come from outside). */
const InstallerEnvSchema = z.object({
  PATH: text,
  PIPEDAI_HOME: text,
  PIPEDAI_WORKER_BIN: text,
  PIPEDAI_DRAIN_CEILING_MS: text,
  // `start`'s log format (text or json, for journald/Loki/Vector): a stray value is an error.
  PIPEDAI_LOG_FORMAT: z.preprocess(blankToUndefined, z.enum(LOG_FORMATS).optional()),
  SUDO_USER: SudoUserSchema,
  // Only named in the lingering hint: a strange value falls back to the uid.
  USER: z.preprocess(blankToUndefined, z.string().regex(POSIX_USER).optional().catch(undefined)),
  LOGNAME: z.preprocess(blankToUndefined, z.string().regex(POSIX_USER).optional().catch(undefined)),
  XDG_CONFIG_HOME: text,
  USERNAME: text,
  USERDOMAIN: text,
  SystemRoot: text,
});
export type InstallerEnv = z.infer<typeof InstallerEnvSchema>;

/** Windows environment names are case-insensitive (`Path` is the usual spelling of PATH). */
function lookup(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  platform: NodeJS.Platform,
): string | undefined {
  if (platform !== 'win32' || Object.hasOwn(env, name)) return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

export function parseInstallerEnv(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
): InstallerEnv {
  const picked = Object.fromEntries(
    Object.keys(InstallerEnvSchema.shape).map((name) => [name, lookup(env, name, platform)]),
  );
  const parsed = InstallerEnvSchema.safeParse(picked);
  if (!parsed.success) throw new Error(`installer environment: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** The state folder: PIPEDAI_HOME (made absolute) or `~/.pipedai`, as the daemon resolves it. */
export function stateHomeFor(
  platform: NodeJS.Platform,
  env: InstallerEnv,
  homedir: string,
): string {
  const p = pathApi(platform);
  return env.PIPEDAI_HOME ? p.resolve(env.PIPEDAI_HOME) : p.join(homedir, '.pipedai');
}

export interface BakedPathInput {
  platform: NodeJS.Platform;
  nodePath: string;
  /** Home of the account the service runs as (for `~/.local/bin`). */
  serviceHome: string;
  installerPath?: string;
  systemRoot?: string;
}

/**
 * node's folder, then the usual user and Homebrew folders (POSIX only: they mean nothing on
 * Windows), then the installer's PATH (or a minimal system one). Relative entries are dropped (a
 * service's working folder is not the operator's), duplicates removed, joined with the
 * platform's separator (`;` on Windows).
 */
export function bakedPath(input: BakedPathInput): string {
  const p = pathApi(input.platform);
  const windows = input.platform === 'win32';
  const root = input.systemRoot ?? 'C:\\Windows';
  const fallback = windows ? `${root}\\System32;${root}` : '/usr/bin:/bin';
  const leading = windows
    ? [p.dirname(input.nodePath)]
    : [
        p.dirname(input.nodePath),
        p.join(input.serviceHome, '.local', 'bin'),
        '/opt/homebrew/bin',
        '/usr/local/bin',
      ];
  const entries = [...leading, ...(input.installerPath ?? fallback).split(p.delimiter)];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry || !p.isAbsolute(entry)) continue;
    const withoutSlash = entry.replace(/(?<=.)[\\/]+$/, '');
    const key = windows ? withoutSlash.toLowerCase() : withoutSlash;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(entry);
  }
  return out.join(p.delimiter);
}

/** What a unit runs, with the environment it runs in (PATH first). */
export interface UnitSpec {
  nodePath: string;
  /** Realpath of the CLI script: the npm bin symlink may point elsewhere after an upgrade. */
  cliPath: string;
  /** `<node> <cli> start`, or `<launcher> start` from a desktop package (POSIX). */
  args: readonly string[];
  environment: ReadonlyArray<readonly [string, string]>;
  /** The manager's stop timeouts, aligned with the operator's drain ceiling (none by default). */
  stop: StopTimeouts;
}

export interface SpecInput {
  platform: NodeJS.Platform;
  env: InstallerEnv;
  fs: ServiceFs;
  nodePath: string;
  cliPath: string;
  /** The desktop package's launcher: POSIX units run it (ServiceOptions.launcher). */
  launcher?: string;
  /** Variables nodePath needs to run as Node, for units that run it directly. */
  nodeEnv?: Readonly<Record<string, string>>;
  serviceHome: string;
  /**
   * The state folder the unit is installed for, always baked in as PIPEDAI_HOME: the service
   * never falls back to its account's HOME, which may not be the installer's (sudo, a Windows
   * service account).
   */
  stateHome: string;
  /** Which manager runs the unit: the daemon reads it (PIPEDAI_SERVICE_MANAGER). */
  manager: ServiceManagerKind;
}

export async function buildUnitSpec(input: SpecInput): Promise<UnitSpec> {
  const p = pathApi(input.platform);
  if (!p.isAbsolute(input.nodePath))
    throw new Error(`node path must be absolute: ${input.nodePath}`);
  const cliPath = await input.fs.realpath(input.cliPath);
  if (!p.isAbsolute(cliPath)) throw new Error(`CLI path must be absolute: ${cliPath}`);
  const launcher =
    input.launcher === undefined || input.platform === 'win32'
      ? null
      : await input.fs.realpath(input.launcher);
  if (launcher !== null && !p.isAbsolute(launcher))
    throw new Error(`launcher path must be absolute: ${launcher}`);
  const environment: Array<readonly [string, string]> = [
    [
      'PATH',
      bakedPath({
        platform: input.platform,
        nodePath: input.nodePath,
        serviceHome: input.serviceHome,
        installerPath: input.env.PATH,
        systemRoot: input.env.SystemRoot,
      }),
    ],
  ];
  if (!p.isAbsolute(input.stateHome))
    throw new Error(`state folder must be absolute: ${input.stateHome}`);
  environment.push(['PIPEDAI_HOME', input.stateHome]);
  if (input.env.PIPEDAI_WORKER_BIN)
    environment.push(['PIPEDAI_WORKER_BIN', input.env.PIPEDAI_WORKER_BIN]);
  const ceiling = drainCeilingMs({ PIPEDAI_DRAIN_CEILING_MS: input.env.PIPEDAI_DRAIN_CEILING_MS });
  if (ceiling !== null) environment.push(['PIPEDAI_DRAIN_CEILING_MS', String(ceiling)]);
  if (input.env.PIPEDAI_LOG_FORMAT)
    environment.push(['PIPEDAI_LOG_FORMAT', input.env.PIPEDAI_LOG_FORMAT]);
  environment.push([SERVICE_MANAGER_ENV, input.manager]);
  // The launcher sets these itself; a unit that runs the binary directly sets them here.
  if (launcher === null) environment.push(...Object.entries(input.nodeEnv ?? {}));
  return {
    nodePath: input.nodePath,
    cliPath,
    args: launcher === null ? [input.nodePath, cliPath, 'start'] : [launcher, 'start'],
    environment,
    stop: stopTimeouts(ceiling),
  };
}

/** Everything a platform module needs, with the environment parsed and fs defaulted. */
export interface ManagerContext {
  platform: NodeJS.Platform;
  runner: ServiceRunner;
  fs: ServiceFs;
  env: InstallerEnv;
  uid: number;
  isRoot: boolean;
  homedir: string;
  /** The state folder the CLI works on (resolved for the user behind sudo); see SpecInput. */
  stateHome?: string;
  nodePath: string;
  cliPath: string;
  launcher?: string;
  nodeEnv: Readonly<Record<string, string>>;
  template(name: TemplateName): Promise<string>;
  serviceAccount?: string;
  servicePassword?: (account: string) => Promise<string>;
}
