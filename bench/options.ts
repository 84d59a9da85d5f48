// Command-line flags of `npm run bench`, parsed (never cast): a bad one is an error naming it.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Windows } from './scenarios.ts';

export interface BenchOptions {
  quick: boolean;
  rounds: number;
  workers: number;
  windows: Windows;
  logRate: number;
  logLineBytes: number;
  /** Markdown report to write, or null (quick runs only print unless --out is given). */
  out: string | null;
  /** Every row as JSON (name, unit, ours, theirs, ratio, target, met), or null. */
  json: string | null;
  oursCli: string;
  theirsSpec: string;
  /** Run the simulator from its TypeScript sources (sandbox/bin) instead of a built bundle. */
  simFromSources: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--rounds N] [--out FILE | --no-write]
                            [--json FILE] [--ours-cli PATH] [--log-rate LINES_PER_S]
                            [--theirs SPEC] [--sim-sources]

  --quick          1 round, short windows (5 s idle CPU, 5 s log flood); prints, writes nothing
  --rounds N       rounds, alternating which daemon goes first (default 3; quick: 1)
  --out FILE       markdown report (default docs/benchmarks.md for full runs)
  --no-write       print only
  --json FILE      every row as JSON: name, unit, ours, theirs, ratio, target, met
  --ours-cli PATH  our CLI bundle (default dist/cli.js; npm run build makes it)
  --log-rate N     chatter per worker during the log flood, lines/s (default 2000; the
                   saturation scenario is 20000: 20 workers offering 400 000 lines/s)
  --theirs SPEC    the published package to compare with (default @pipedai/orchestrator@0.7.1)
  --sim-sources    run the worker simulator from sandbox/bin (TypeScript sources) instead of
                   the one-file build the bench makes of it (slower worker starts)`;

const FULL: Windows = {
  settleMs: 10_000,
  rssSpanMs: 2_000,
  idleCpuMs: 60_000,
  idleLatencyMs: 5_000,
  logWarmupMs: 3_000,
  logMs: 30_000,
  crashes: 3,
  cliRuns: 8,
};

const QUICK: Windows = {
  settleMs: 500,
  rssSpanMs: 400,
  idleCpuMs: 5_000,
  idleLatencyMs: 500,
  logWarmupMs: 500,
  logMs: 5_000,
  crashes: 1,
  // A CLI run takes well under a second: the issue's median of 8 costs the quick run ~10 s.
  cliRuns: 8,
};

const Flags = z.object({
  quick: z.boolean().default(false),
  rounds: z.coerce.number().int().min(1).max(20).optional(),
  out: z.string().min(1).optional(),
  json: z.string().min(1).optional(),
  'no-write': z.boolean().default(false),
  'ours-cli': z.string().min(1).default('dist/cli.js'),
  'log-rate': z.coerce.number().min(1).max(100_000).default(2000),
  theirs: z
    .string()
    .regex(/^@pipedai\/orchestrator@\d+\.\d+\.\d+$/, 'a spec like @pipedai/orchestrator@0.7.1')
    .default('@pipedai/orchestrator@0.7.1'),
  'sim-sources': z.boolean().default(false),
  help: z.boolean().default(false),
});

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      rounds: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'string' },
      'no-write': { type: 'boolean' },
      'ours-cli': { type: 'string' },
      'log-rate': { type: 'string' },
      theirs: { type: 'string' },
      'sim-sources': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const parsed = Flags.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}\n${USAGE}`);
  }
  const f = parsed.data;
  if (f.help) return 'help';
  const defaultOut = f.quick ? null : 'docs/benchmarks.md';
  return {
    quick: f.quick,
    rounds: f.rounds ?? (f.quick ? 1 : 3),
    // The issue's fleet size in every mode: quick runs shorten windows, never the fleet.
    workers: 20,
    windows: f.quick ? QUICK : FULL,
    logRate: f['log-rate'],
    logLineBytes: 120,
    out: f['no-write'] ? null : (f.out ?? defaultOut),
    json: f.json ?? null,
    oursCli: f['ours-cli'],
    theirsSpec: f.theirs,
    simFromSources: f['sim-sources'],
  };
}
