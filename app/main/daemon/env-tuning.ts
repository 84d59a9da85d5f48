// Operator and test tuning from the environment, parsed (never cast): a bad value is an error
// naming the variable. None of these is needed in production.
import { z } from 'zod';
import { CommandError, describeZodError } from '../../shared/index.ts';
import type { Timings } from './orchestrator/context.ts';

const ms = z.coerce
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 3600_000);

const TimingsJson = z
  .object({
    refreshMs: ms,
    releasesMs: ms,
    stopGraceMs: ms,
    upgradeDrainMs: ms,
    selfUpgradeDrainMs: ms,
    drainPollMs: ms,
    rollbackWindowMs: ms,
    statusCoalesceMs: ms,
  })
  .partial()
  .strict();

export interface EnvTuning {
  timings: Partial<Timings>;
  backoffUnitMs?: number;
  connectivityIntervalMs?: number;
  /** npm executable for worker and self installs (e.g. a version manager's shim). */
  npm?: string;
}

export function tuningFromEnv(env: NodeJS.ProcessEnv): EnvTuning {
  const field = <T>(name: string, schema: z.ZodType<T>, raw: string | undefined): T | undefined => {
    if (raw === undefined || raw.trim() === '') return undefined;
    const parsed = schema.safeParse(raw);
    if (!parsed.success)
      throw new CommandError('bad-request', `${name}: ${describeZodError(parsed.error)}`, name);
    return parsed.data;
  };
  const timingsRaw = env.PIPEDAI_TIMINGS;
  let timings: Partial<Timings> = {};
  if (timingsRaw && timingsRaw.trim() !== '') {
    let json: unknown;
    try {
      json = JSON.parse(timingsRaw);
    } catch {
      throw new CommandError('bad-request', 'PIPEDAI_TIMINGS: not valid JSON', 'PIPEDAI_TIMINGS');
    }
    const parsed = TimingsJson.safeParse(json);
    if (!parsed.success)
      throw new CommandError(
        'bad-request',
        `PIPEDAI_TIMINGS: ${describeZodError(parsed.error)}`,
        'PIPEDAI_TIMINGS',
      );
    timings = parsed.data;
  }
  const backoffUnitMs = field('PIPEDAI_BACKOFF_UNIT_MS', ms, env.PIPEDAI_BACKOFF_UNIT_MS);
  const connectivityIntervalMs = field('PIPEDAI_CONNECTIVITY_MS', ms, env.PIPEDAI_CONNECTIVITY_MS);
  const npm = field('PIPEDAI_NPM', z.string().min(1).max(4096), env.PIPEDAI_NPM);
  return {
    timings,
    ...(backoffUnitMs !== undefined ? { backoffUnitMs } : {}),
    ...(connectivityIntervalMs !== undefined ? { connectivityIntervalMs } : {}),
    ...(npm !== undefined ? { npm } : {}),
  };
}
