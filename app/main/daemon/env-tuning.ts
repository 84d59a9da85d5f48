// Operator and test tuning from the environment, parsed (never cast): a bad value is an error
// naming the variable. None of these is needed in production.
import { z } from 'zod';
import { CommandError, describeZodError } from '../../shared/index.ts';
import type { Timings } from './orchestrator/context.ts';
import type { RunsLimits } from './runs/prune.ts';

const ms = z.coerce
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 3600_000);

const TimingsJson = z
  .object({
    refreshMs: ms,
    releasesMs: ms,
    releasesRetryMs: ms,
    drainPollMs: ms,
    housekeepingMs: ms,
    rollbackWindowMs: ms,
    statusCoalesceMs: ms,
  })
  .partial()
  .strict();

/**
 * `PIPEDAI_DRAIN_CEILING_MS`: the operator's ceiling on a drain (stop, disable, delete, worker
 * upgrade, shutdown, Quit), after which the worker's tree is killed. Unset, empty or 0: none, a
 * drain waits for the run however long. The service units align their own stop timeouts with it.
 */
export function drainCeilingMs(env: NodeJS.ProcessEnv): number | null {
  const raw = env.PIPEDAI_DRAIN_CEILING_MS;
  if (raw === undefined || raw.trim() === '' || raw.trim() === '0') return null;
  const parsed = ms.safeParse(raw);
  if (!parsed.success)
    throw new CommandError(
      'bad-request',
      `PIPEDAI_DRAIN_CEILING_MS: ${describeZodError(parsed.error)} (0 or unset: no ceiling)`,
      'PIPEDAI_DRAIN_CEILING_MS',
    );
  return parsed.data;
}

export interface EnvTuning {
  timings: Partial<Timings>;
  backoffUnitMs?: number;
  connectivityIntervalMs?: number;
  /** npm executable for worker and self installs (e.g. a version manager's shim). */
  npm?: string;
  /** PIPEDAI_RUNS_MAX_MB / PIPEDAI_RUNS_MAX_DAYS: how much of runs/ is kept. */
  runsLimits: Partial<RunsLimits>;
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
  const ceiling = drainCeilingMs(env);
  if (ceiling !== null) timings = { ...timings, drainCeilingMs: ceiling };
  const backoffUnitMs = field('PIPEDAI_BACKOFF_UNIT_MS', ms, env.PIPEDAI_BACKOFF_UNIT_MS);
  const connectivityIntervalMs = field('PIPEDAI_CONNECTIVITY_MS', ms, env.PIPEDAI_CONNECTIVITY_MS);
  const npm = field('PIPEDAI_NPM', z.string().min(1).max(4096), env.PIPEDAI_NPM);
  const whole = (max: number) => z.coerce.number().int().min(1).max(max);
  const runsMb = field('PIPEDAI_RUNS_MAX_MB', whole(1_000_000), env.PIPEDAI_RUNS_MAX_MB);
  const runsDays = field('PIPEDAI_RUNS_MAX_DAYS', whole(3650), env.PIPEDAI_RUNS_MAX_DAYS);
  return {
    timings,
    runsLimits: {
      ...(runsMb !== undefined ? { maxTotalBytes: runsMb * 1024 * 1024 } : {}),
      ...(runsDays !== undefined ? { maxAgeMs: runsDays * 86_400_000 } : {}),
    },
    ...(backoffUnitMs !== undefined ? { backoffUnitMs } : {}),
    ...(connectivityIntervalMs !== undefined ? { connectivityIntervalMs } : {}),
    ...(npm !== undefined ? { npm } : {}),
  };
}
