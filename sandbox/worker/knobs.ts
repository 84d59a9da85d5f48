// Behaviour knobs of the simulator, read from the environment so a test, the demo or a benchmark
// can shape a worker without touching the orchestrator's argv (which is the contract's).
import { join } from 'node:path';
import { z } from 'zod';
import { describeZodError } from '../../app/shared/errors.ts';

export const KNOB_DEFAULTS = {
  version: '1.4.2',
  heartbeatMs: 5000,
  pollMs: 2000,
  exitCode: 1,
  logRate: 0,
  logLineBytes: 120,
  runDurationMs: 3000,
  grandchildren: 0,
} as const;

const DAY_MS = 86_400_000;

/** `FOO=` counts as unset, like most shells' users expect. */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const decimal = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const onOff = z.enum(['0', '1'], { error: 'must be 0 or 1' }).transform((v) => v === '1');

const knob = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema.optional());

const KnobEnv = z.object({
  PIPEDAI_SIM_VERSION: knob(
    z.string().regex(/^\S{1,64}$/, 'must be one word of at most 64 characters'),
  ),
  PIPEDAI_SIM_HEARTBEAT_MS: knob(wholeNumber(10, DAY_MS)),
  PIPEDAI_SIM_POLL_MS: knob(wholeNumber(10, DAY_MS)),
  PIPEDAI_SIM_CRASH_AFTER_MS: knob(wholeNumber(0, DAY_MS)),
  PIPEDAI_SIM_EXIT_CODE: knob(wholeNumber(0, 255)),
  PIPEDAI_SIM_LOG_RATE: knob(decimal(0, 100_000)),
  PIPEDAI_SIM_LOG_LINE_BYTES: knob(wholeNumber(32, 65_536)),
  PIPEDAI_SIM_IGNORE_SIGTERM: knob(onOff),
  PIPEDAI_SIM_GRANDCHILDREN: knob(wholeNumber(0, 32)),
  PIPEDAI_SIM_RUN_DURATION_MS: knob(wholeNumber(0, DAY_MS)),
  PIPEDAI_SIM_REGISTER_FAIL: knob(onOff),
  PIPEDAI_SIM_SURVIVE_EPIPE: knob(onOff),
});

export interface Knobs {
  /** Reported by `version`, on register and in every request's version header. */
  version: string;
  heartbeatMs: number;
  /** Idle claim interval; also the base of the capped backoff while the API fails. */
  pollMs: number;
  /** `run` exits with `exitCode` this long after start; null = never. */
  crashAfterMs: number | null;
  exitCode: number;
  /** Extra stdout chatter, lines per second; 0 = off. */
  logRate: number;
  /** Length of each chatter line, newline excluded. */
  logLineBytes: number;
  ignoreSigterm: boolean;
  grandchildren: number;
  /** Duration of a claimed run that carries none. */
  runDurationMs: number;
  registerFail: boolean;
  /** A broken stdout/stderr pipe is dropped instead of ending the process (a plain Node CLI dies). */
  surviveEpipe: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseKnobs(env: NodeJS.ProcessEnv): Parsed<Knobs> {
  const parsed = KnobEnv.safeParse(env);
  if (!parsed.success)
    return { ok: false, error: `invalid environment: ${describeZodError(parsed.error)}` };
  const e = parsed.data;
  return {
    ok: true,
    value: {
      version: e.PIPEDAI_SIM_VERSION ?? KNOB_DEFAULTS.version,
      heartbeatMs: e.PIPEDAI_SIM_HEARTBEAT_MS ?? KNOB_DEFAULTS.heartbeatMs,
      pollMs: e.PIPEDAI_SIM_POLL_MS ?? KNOB_DEFAULTS.pollMs,
      crashAfterMs: e.PIPEDAI_SIM_CRASH_AFTER_MS ?? null,
      exitCode: e.PIPEDAI_SIM_EXIT_CODE ?? KNOB_DEFAULTS.exitCode,
      logRate: e.PIPEDAI_SIM_LOG_RATE ?? KNOB_DEFAULTS.logRate,
      logLineBytes: e.PIPEDAI_SIM_LOG_LINE_BYTES ?? KNOB_DEFAULTS.logLineBytes,
      ignoreSigterm: e.PIPEDAI_SIM_IGNORE_SIGTERM ?? false,
      grandchildren: e.PIPEDAI_SIM_GRANDCHILDREN ?? KNOB_DEFAULTS.grandchildren,
      runDurationMs: e.PIPEDAI_SIM_RUN_DURATION_MS ?? KNOB_DEFAULTS.runDurationMs,
      registerFail: e.PIPEDAI_SIM_REGISTER_FAIL ?? false,
      surviveEpipe: e.PIPEDAI_SIM_SURVIVE_EPIPE ?? false,
    },
  };
}

/**
 * `AUTH_MODE` as the orchestrator sets it on register (§3.1); forwarded unchanged. The values of
 * the shared BuildAuthMode, spelled out here because importing the shared command table would
 * double the simulator's start-up time (a test keeps the two equal).
 */
export const AuthModeEnv = z.enum(['claude-max', 'api-key', 'claude_max', 'api_key']);

export function parseAuthMode(env: NodeJS.ProcessEnv): Parsed<z.infer<typeof AuthModeEnv>> {
  const parsed = z.object({ AUTH_MODE: knob(AuthModeEnv) }).safeParse(env);
  if (!parsed.success)
    return { ok: false, error: `invalid environment: ${describeZodError(parsed.error)}` };
  return { ok: true, value: parsed.data.AUTH_MODE ?? 'claude-max' };
}

/** Only `PIPEDAI_LOCAL_RUN_EVENTS=1` turns the local run-event files on, like the real worker (§3.2). */
export function localRunEventsEnabled(env: NodeJS.ProcessEnv): boolean {
  return env.PIPEDAI_LOCAL_RUN_EVENTS === '1';
}

/** The state root the run-event files go under: `$PIPEDAI_HOME`, else `~/.pipedai`. */
export function resolveWorkerHome(env: NodeJS.ProcessEnv, homedir: () => string): string {
  const fromEnv = env.PIPEDAI_HOME?.trim();
  return fromEnv ? fromEnv : join(homedir(), '.pipedai');
}
