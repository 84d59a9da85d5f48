// What the command table parses before any command loads: usage errors and option values. No
// schema, no daemon: `--help` and every command's argv checks run on this alone.
import type { ParseOptions } from 'commander';
import { WORKER_VERBS, type WorkerVerb } from '../app/shared/verbs.ts';

/** A usage error: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port must be an integer 0..65535, got ${JSON.stringify(v)}`);
  return n;
}

export function parsePositiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** `workers <verb>`: every verb of the contract's table; Force stop is `stop --force`. */
export type CliVerb = Exclude<WorkerVerb, 'force-stop'>;
export const CLI_VERBS = WORKER_VERBS.filter((v): v is CliVerb => v !== 'force-stop');

/**
 * commander reads argv as Node lays it out ([node, script, ...args]) however it runs. Its
 * auto-detection takes process.versions.electron for a packaged Electron app ([app, ...args])
 * and so, on the app's binary as Node, the script path for the first argument
 * (tj/commander.js#2603).
 */
export const commanderParseOptions = (): ParseOptions => ({ from: 'node' });
