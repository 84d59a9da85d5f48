// Sandbox runner: `node dist/sandbox.js api --port <n> --state <dir>` (or `node sandbox/index.ts
// api …`), and `… registry --port <n> --state <dir>` for the npm registry. Each prints exactly one
// line once listening, then runs until SIGINT/SIGTERM.
import { Command } from 'commander';
import { resolve } from 'node:path';
import { z } from 'zod';
import { errorMessage, describeZodError, scrubTokens } from '../app/shared/index.ts';
import { startApiEmulator } from './api/index.ts';

export const DEFAULT_SANDBOX_PORT = 4600;
export const DEFAULT_STATE_DIR = '.sandbox-state';
export const DEFAULT_REGISTRY_PORT = 4873;
export const DEFAULT_REGISTRY_DIR = '.sandbox-registry';

const Int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const ApiFlags = z.object({
  port: Int(0, 65_535),
  state: z.string().min(1),
  deviceInterval: Int(1, 60).optional(),
  deviceTtl: Int(1, 86_400).optional(),
  heartbeatTtlMs: Int(50, 3_600_000).optional(),
  keepaliveMs: Int(10, 300_000).optional(),
  verbose: z.boolean().optional(),
});

const RegistryFlags = z.object({ port: Int(0, 65_535), state: z.string().min(1) });

const fail = (message: string, code: number): never => {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(code);
};

async function runApi(raw: unknown): Promise<void> {
  const parsed = ApiFlags.safeParse(raw);
  if (!parsed.success) return fail(`bad flag: ${describeZodError(parsed.error)}`, 2);
  const flags = parsed.data;
  const emulator = await startApiEmulator({
    port: flags.port,
    stateDir: resolve(flags.state),
    deviceIntervalSec: flags.deviceInterval,
    deviceTtlSec: flags.deviceTtl,
    heartbeatTtlMs: flags.heartbeatTtlMs,
    keepAliveMs: flags.keepaliveMs,
    log: flags.verbose ? (line) => process.stderr.write(`${scrubTokens(line)}\n`) : undefined,
  }).catch((error: unknown) => fail(errorMessage(error), 1));
  serveUntilSignal(`PipedAI sandbox API listening on ${emulator.url}`, () => emulator.close());
}

/** Print the one `listening on` line, then close and exit 0 on SIGINT or SIGTERM. */
function serveUntilSignal(line: string, close: () => Promise<void>): void {
  process.stdout.write(`${line}\n`);
  const stop = () => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function runRegistry(raw: unknown): Promise<void> {
  const parsed = RegistryFlags.safeParse(raw);
  if (!parsed.success) return fail(`bad flag: ${describeZodError(parsed.error)}`, 2);
  // Loaded on demand: Verdaccio takes half a second to load, and the API needs none of it.
  const { startSandboxRegistry } = await import('./registry/index.ts');
  const registry = await startSandboxRegistry({
    port: parsed.data.port,
    stateDir: resolve(parsed.data.state),
  }).catch((error: unknown) => fail(errorMessage(error), 1));
  serveUntilSignal(`PipedAI sandbox registry listening on ${registry.url}`, () => registry.close());
}

const program = new Command('sandbox')
  .description('PipedAI sandbox: a local stand-in for pipedai-api and the npm registry')
  .showHelpAfterError();
program
  .command('api')
  .description('run the pipedai-api emulator on 127.0.0.1')
  .option('--port <n>', 'port to listen on (0 = any free port)', String(DEFAULT_SANDBOX_PORT))
  .option('--state <dir>', 'state directory (state.json lives here)', DEFAULT_STATE_DIR)
  .option('--device-interval <sec>', 'device-pairing poll interval in seconds (default 5)')
  .option('--device-ttl <sec>', 'device-pairing lifetime in seconds (default 900)')
  .option(
    '--heartbeat-ttl-ms <ms>',
    'a worker is online if it heartbeated within this (default 30000)',
  )
  .option('--keepalive-ms <ms>', 'SSE keep-alive comment interval (default 15000)')
  .option('--verbose', 'log one line per request to stderr')
  .action(runApi);

program
  .command('registry')
  .description(
    'run an npm registry (Verdaccio) on 127.0.0.1 serving the worker simulator as @pipedai/worker',
  )
  .option('--port <n>', 'port to listen on (0 = any free port)', String(DEFAULT_REGISTRY_PORT))
  .option('--state <dir>', 'storage directory (published packages live here)', DEFAULT_REGISTRY_DIR)
  .action(runRegistry);

await program.parseAsync(process.argv);
