// A fault-test world: a temp folder holding PIPEDAI_HOME and the emulator's state, the API
// emulator (in this process, real HTTP), a loopback "internet" answering 204, and workers
// registered with the emulator and written to the manifest the way `connect` writes them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pathsFor, type Paths } from '../../../app/main/daemon/paths.ts';
import { openStore, writeWorkerConfig } from '../../../app/main/daemon/store/index.ts';
import type { DesiredState } from '../../../app/shared/index.ts';
import { startApiEmulator, type ApiEmulator } from '../../../sandbox/api/index.ts';
import { WorkerRegisterResponse } from '../../../sandbox/protocol.ts';
import { FAULT_MARKER, killMarked } from './procfs.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The pipedai-worker simulator. */
export const SIM_BIN = join(ROOT, 'sandbox/bin/pipedai-worker');
/** The CLI from its sources (Node 22 strips the types), so a test runs the code as it is now. */
export const CLI_ENTRY = join(ROOT, 'cli/main.ts');

export interface FaultWorker {
  id: string;
  label: string;
  configPath: string;
}

export interface FixtureOptions {
  /** How many workers to register (default 0). */
  workers?: number;
  desiredState?: (index: number) => DesiredState;
}

export interface Fixture {
  readonly dir: string;
  readonly paths: Paths;
  readonly emulatorStateDir: string;
  readonly emulator: ApiEmulator;
  readonly apiUrl: string;
  readonly localToken: string;
  readonly workers: FaultWorker[];
  /** Every token issued for this fixture: none may leak into an output or a non-secret file. */
  readonly secrets: string[];
  /** Environment for a daemon (and so its workers): PIPEDAI_* from the test run left out. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** A `/sandbox/…` operator control of the emulator. */
  sandbox(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** SIGKILL every process started under this fixture, close the servers, remove the folder. */
  cleanup(): Promise<void>;
}

async function listen204(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/generate_204` };
}

export async function createFixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const dir = await mkdtemp(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'faults-'));
  const paths = pathsFor(join(dir, 'home'));
  const emulatorStateDir = join(dir, 'emulator');
  const emulator = await startApiEmulator({ port: 0, stateDir: emulatorStateDir });
  const internet = await listen204();
  const apiUrl = emulator.url;
  const store = openStore(paths);
  const secrets: string[] = [];

  const operatorToken = await emulator.mintToken('pwk');
  secrets.push(operatorToken);
  await store.credentials.setOperatorToken(apiUrl, operatorToken);
  const localToken = await store.credentials.localToken();
  secrets.push(localToken);

  const workers: FaultWorker[] = [];
  for (let i = 0; i < (opts.workers ?? 0); i++) {
    const registration = await emulator.mintToken('wrk');
    secrets.push(registration);
    const res = await fetch(`${apiUrl}/api/v1/worker/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: registration, hostname: `fault-host-${i}` }),
    });
    if (res.status !== 200) throw new Error(`register ${i}: HTTP ${res.status}`);
    const reg = WorkerRegisterResponse.parse(await res.json());
    secrets.push(reg.workerToken);
    const label = `fault-${i}`;
    const configPath = paths.workerConfig(label);
    await writeWorkerConfig(configPath, {
      workerId: reg.workerId,
      workerToken: reg.workerToken,
      apiUrl,
      workspaceId: reg.workspaceId,
    });
    await store.manifest.add({
      id: reg.workerId,
      label,
      apiUrl,
      workspaceId: reg.workspaceId,
      configPath,
      mode: 'workspace',
      desiredState: opts.desiredState?.(i) ?? 'enabled',
    });
    workers.push({ id: reg.workerId, label, configPath });
  }

  return {
    dir,
    paths,
    emulatorStateDir,
    emulator,
    apiUrl,
    localToken,
    workers,
    secrets,
    env(extra = {}) {
      const base = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('PIPEDAI_')),
      );
      return {
        ...base,
        // The simulator's shebang is `env node`: this Node (22) must come first.
        PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
        PIPEDAI_HOME: paths.home,
        PIPEDAI_WORKER_BIN: SIM_BIN,
        PIPEDAI_INTERNET_PROBE_URL: internet.url,
        PIPEDAI_SIM_HEARTBEAT_MS: '1000',
        PIPEDAI_SIM_POLL_MS: '1000',
        [FAULT_MARKER]: dir,
        ...extra,
      };
    },
    async sandbox(method, path, body) {
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    async cleanup() {
      await killMarked(dir);
      await emulator.close();
      internet.server.closeAllConnections();
      await new Promise<void>((r) => internet.server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
