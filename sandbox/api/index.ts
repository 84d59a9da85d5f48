// The pipedai-api emulator: every endpoint of contract §2.2, the worker-facing endpoints of
// sandbox/protocol.ts and the /sandbox operator controls, on loopback HTTP, with its state
// persisted under `stateDir`. See sandbox/README.md.
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { describeZodError } from '../../app/shared/index.ts';
import { apiRoutes } from './api-routes.ts';
import { controlRoutes, guardLocal, issueSandboxCode, mintSandboxToken } from './controls.ts';
import { createCore } from './core.ts';
import { createStateSaver, loadStateFile } from './persist.ts';
import { createHttpServer } from './server.ts';
import { DEFAULT_WORKSPACE_ID, ensureWorkspace, modelFrom, prune, snapshotOf } from './state.ts';
import { workerRoutes } from './worker-routes.ts';

export { DEFAULT_WORKSPACE_ID } from './state.ts';
export { TOKEN_PREFIX } from './tokens.ts';

export interface ApiEmulatorOptions {
  /** 0 (the default) picks any free port. */
  port?: number;
  host?: '127.0.0.1';
  stateDir: string;
  /** RFC 8628 polling interval handed out by device start; default 5. */
  deviceIntervalSec?: number;
  /** Lifetime of a device enrollment; default 900. */
  deviceTtlSec?: number;
  /** A worker counts as online if a heartbeat came within this; default 30000. */
  heartbeatTtlMs?: number;
  /** SSE comment interval; default 15000. */
  keepAliveMs?: number;
  /** Lifetime of `wrk_`/`pool_` registration tokens; default 15 min. */
  registrationTokenTtlMs?: number;
  now?: () => number;
  /** One line per request and per internal problem; never a token plaintext. */
  log?: (line: string) => void;
}

export interface ApiEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  /** Same as `POST /sandbox/enrollment-codes`: a one-time `enr_` code for the default workspace. */
  issueEnrollmentCode(): Promise<string>;
  /** Same as `POST /sandbox/tokens`. `pwk`/`wrk` belong to `workspaceId` (default `ws_sandbox`). */
  mintToken(
    kind: 'pwk' | 'pop' | 'admin' | 'wrk' | 'pool',
    opts?: { workspaceId?: string },
  ): Promise<string>;
}

const Settings = z.object({
  port: z.number().int().min(0).max(65_535).default(0),
  host: z.literal('127.0.0.1').default('127.0.0.1'),
  stateDir: z.string().min(1),
  deviceIntervalSec: z.number().int().min(1).max(60).default(5),
  deviceTtlSec: z.number().int().min(1).max(86_400).default(900),
  heartbeatTtlMs: z.number().int().min(50).max(3_600_000).default(30_000),
  keepAliveMs: z.number().int().min(10).max(300_000).default(15_000),
  registrationTokenTtlMs: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400_000)
    .default(15 * 60_000),
});

export async function startApiEmulator(options: ApiEmulatorOptions): Promise<ApiEmulator> {
  const { now = Date.now, log = () => {}, ...rest } = options;
  const parsed = Settings.safeParse(rest);
  if (!parsed.success)
    throw new Error(`invalid emulator options: ${describeZodError(parsed.error)}`);
  const settings = parsed.data;

  const model = modelFrom(await loadStateFile(settings.stateDir));
  ensureWorkspace(model, DEFAULT_WORKSPACE_ID, now());
  const saver = await createStateSaver({
    stateDir: settings.stateDir,
    snapshot: () => {
      prune(model, now());
      return snapshotOf(model);
    },
    onError: (error) => log(`could not save sandbox state: ${String(error)}`),
  });
  let url = '';
  let port = 0;
  const core = createCore({
    model,
    now,
    url: () => url,
    settings,
    changed: () => saver.schedule(),
  });
  const server = createHttpServer({
    apiRoutes: [...apiRoutes(core), ...workerRoutes(core)],
    localRoutes: controlRoutes(core),
    faults: core.faults,
    guardLocal: (req) => guardLocal(req, () => port),
    log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log(`server error: ${String(error)}`));
  port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  const sweeper = setInterval(
    () => core.runs.sweep(),
    Math.min(1000, Math.max(50, settings.heartbeatTtlMs / 4)),
  );
  sweeper.unref();
  saver.schedule();

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        core.faults.dispose();
        core.sse.closeAll();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await saver.flush();
      })();
      return closing;
    },
    issueEnrollmentCode: async () => issueSandboxCode(core).code,
    mintToken: async (kind, opts) => mintSandboxToken(core, kind, opts?.workspaceId),
  };
}
