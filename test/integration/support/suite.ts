// One integration file's world: the API emulator behind a recording proxy, a loopback
// "internet" that answers 204, and real daemons (openDaemon, headless) with their own
// PIPEDAI_HOME, supervising the sandbox worker simulator as real child processes.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiClient, redeemEnrollmentCode } from '../../../app/main/daemon/api/index.ts';
import { openDaemon, workerConfigs, type Daemon } from '../../../app/main/daemon/daemon.ts';
import { persistEnrollment } from '../../../app/main/daemon/enroll/persist.ts';
import type { Timings } from '../../../app/main/daemon/orchestrator/context.ts';
import type { Orchestrator } from '../../../app/main/daemon/orchestrator/index.ts';
import { openStore } from '../../../app/main/daemon/store/index.ts';
import type { ToolCommand, ToolRunner } from '../../../app/main/daemon/tools/run-tool.ts';
import type {
  EventFrame,
  FusedWorker,
  ManifestEntry,
  RedeemResponse,
  SupervisorStatus,
} from '../../../app/shared/index.ts';
import {
  startApiEmulator,
  type ApiEmulator,
  type ApiEmulatorOptions,
} from '../../../sandbox/api/index.ts';
import { BIN, pathWithNode } from '../../../sandbox/worker/test-support.ts';
import { startSandboxRegistry, type SandboxRegistry } from '../../../sandbox/registry/index.ts';
import { startRecordingProxy, type RecordingProxy } from './proxy.ts';
import { Evidence, TokenBook } from './secrets.ts';

export const SIM_VERSION = '1.4.2';

/** What the emulator's /sandbox controls show (the fields these tests read). */
export const SandboxWorker = z.looseObject({
  id: z.string(),
  hostname: z.string(),
  workspaceId: z.string().nullable(),
  status: z.string(),
  currentRunId: z.string().nullable(),
  disabled: z.boolean(),
  deleted: z.boolean(),
  heartbeats: z.number(),
  lastSeenAt: z.string().nullable(),
});
export type SandboxWorker = z.infer<typeof SandboxWorker>;
export const SandboxRun = z.looseObject({
  runId: z.string(),
  workerId: z.string(),
  status: z.string(),
  failureKind: z.string().nullable(),
  claimedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type SandboxRun = z.infer<typeof SandboxRun>;
export const SandboxState = z.looseObject({
  workers: z.array(SandboxWorker),
  devices: z.array(
    z.looseObject({
      id: z.string(),
      userCode: z.string(),
      status: z.string(),
      intervalSec: z.number(),
    }),
  ),
  streams: z.record(z.string(), z.number()),
});
export type SandboxState = z.infer<typeof SandboxState>;

import { waitFor } from '../../support/wait-for.ts';

export { waitFor };

export interface NpmCall {
  command: string;
  args: readonly string[];
  at: number;
}

export interface FakeNpm {
  calls: NpmCall[];
  /** Set to make every npm command fail this way. */
  failure: { code: number; stderr: string } | null;
  runner: ToolRunner;
}

/** The npm the daemon runs: records each command; answers success or the failure a test sets. */
export function fakeNpm(): FakeNpm {
  const fake: FakeNpm = {
    calls: [],
    failure: null,
    runner: async (cmd: ToolCommand) => {
      fake.calls.push({ command: cmd.command, args: [...cmd.args], at: Date.now() });
      const f = fake.failure;
      return {
        code: f ? f.code : 0,
        signal: null,
        stdout: f ? '' : 'added 1 package in 1s\n',
        stderr: f ? f.stderr : '',
        timedOut: false,
      };
    },
  };
  return fake;
}

export interface TestDaemon {
  home: string;
  daemon: Daemon;
  orchestrator: Orchestrator;
  frames: EventFrame[];
  logs: string[];
  npm: FakeNpm;
  /** The fused view of one worker, read now. */
  fused(id: string): Promise<FusedWorker | undefined>;
  local(id: string): SupervisorStatus | null;
  /** Wait until the supervisor runs `id` (in a process other than `not`); its pid. */
  running(id: string, not?: number): Promise<number>;
  manifest(): Promise<ManifestEntry[]>;
  /** Run a command expected to fail; its error is kept for the leak search and returned. */
  failure(what: string, p: Promise<unknown>): Promise<Error>;
}

export interface Connected {
  result: RedeemResponse;
  entry: ManifestEntry;
  reused: boolean;
}

/** pid of every process whose argv is `… run --config <path under dir>`. */
export async function simulatorsUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(name)) continue;
    const argv = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const i = argv.indexOf('--config');
    if (argv.includes('run') && i >= 0 && argv[i + 1]?.startsWith(dir)) pids.push(Number(name));
  }
  return pids;
}

export interface SuiteOptions {
  name: string;
  emulator?: Omit<ApiEmulatorOptions, 'stateDir' | 'port'>;
  /** Start the sandbox npm registry (one per file: Verdaccio takes a second to start). */
  registry?: boolean;
}

export interface Suite {
  readonly tokens: TokenBook;
  readonly evidence: Evidence;
  readonly api: ApiEmulator;
  readonly proxy: RecordingProxy;
  /** The loopback "internet" probe target (204). */
  readonly internetUrl: string;
  /** The sandbox npm registry (with `registry: true`). */
  readonly registryUrl: string;
  /** Take the registry away (its port stays reserved for registryStart). */
  registryStop(): Promise<void>;
  registryStart(): Promise<void>;
  /** A /sandbox control of the emulator; answers the parsed JSON, throws on non-2xx. */
  control(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown>;
  worker(id: string): Promise<SandboxWorker>;
  run(runId: string): Promise<SandboxRun>;
  state(): Promise<SandboxState>;
  /** Queue a run for a worker (`POST /sandbox/runs`); its id. */
  enqueueRun(workerId: string, durationMs: number, events: number): Promise<string>;
  /** A pipedai-api call straight to the emulator (as another operator would make it). */
  apiCall(method: 'GET' | 'POST' | 'DELETE', path: string, token: string): Promise<number>;
  /** Mint a token through the sandbox controls; it joins the leak search. */
  mint(kind: 'pwk' | 'pop' | 'admin' | 'wrk' | 'pool', workspaceId?: string): Promise<string>;
  /**
   * A daemon of its own home. `managed`: no PIPEDAI_WORKER_BIN, so workers run the managed
   * runtime installed from the sandbox registry (with a fresh npm cache per daemon).
   */
  daemon(opts?: {
    timings?: Partial<Timings>;
    env?: Record<string, string>;
    managed?: boolean;
  }): Promise<TestDaemon>;
  /** What `connect --token` does (§8.10): redeem a fresh enr_ code through the proxy, persist. */
  connect(
    t: TestDaemon,
    opts: { hostname: string; label?: string; workspaceId?: string },
  ): Promise<Connected>;
  /** afterEach: close every daemon, keep its files as evidence, make sure no worker survives. */
  cleanup(): Promise<void>;
  /** afterAll. */
  close(): Promise<void>;
}

const TEST_TIMINGS: Partial<Timings> = {
  refreshMs: 300,
  drainPollMs: 200,
  drainCeilingMs: 10_000,
  statusCoalesceMs: 50,
};

export async function startSuite(opts: SuiteOptions): Promise<Suite> {
  const root = await mkdtemp(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), `it-${opts.name}-`));
  const tokens = new TokenBook();
  const evidence = new Evidence();
  const api = await startApiEmulator({
    port: 0,
    stateDir: join(root, 'emulator'),
    ...opts.emulator,
  });
  const proxy = await startRecordingProxy(api.url, tokens);
  const internet = http.createServer((_req, res) => {
    res.writeHead(204);
    res.end();
  });
  await new Promise<void>((resolve) => internet.listen(0, '127.0.0.1', resolve));
  const internetUrl = `http://127.0.0.1:${(internet.address() as AddressInfo).port}/generate_204`;
  const open: Array<{ t: TestDaemon; unsubscribe: () => void }> = [];
  let registry: SandboxRegistry | null = opts.registry
    ? await startSandboxRegistry({ port: 0, stateDir: join(root, 'registry') })
    : null;
  const registryPort = registry?.port ?? 0;

  async function control(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(api.url + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    tokens.harvestText(text);
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  }

  const suite: Suite = {
    tokens,
    evidence,
    api,
    proxy,
    internetUrl,
    registryUrl: `http://127.0.0.1:${registryPort}`,
    async registryStop() {
      await registry?.close();
      registry = null;
    },
    async registryStart() {
      registry ??= await startSandboxRegistry({
        port: registryPort,
        stateDir: join(root, 'registry'),
      });
    },
    control,
    worker: async (id) => SandboxWorker.parse(await control('GET', `/sandbox/workers/${id}`)),
    run: async (runId) => SandboxRun.parse(await control('GET', `/sandbox/runs/${runId}`)),
    state: async () => SandboxState.parse(await control('GET', '/sandbox/state')),
    enqueueRun: async (workerId, durationMs, events) =>
      z
        .object({ runId: z.string() })
        .parse(await control('POST', '/sandbox/runs', { workerId, durationMs, events })).runId,
    async apiCall(method, path, token) {
      const res = await fetch(api.url + path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      return res.status;
    },
    async mint(kind, workspaceId) {
      const { token } = z.object({ token: z.string() }).parse(
        await control('POST', '/sandbox/tokens', {
          kind,
          ...(workspaceId ? { workspaceId } : {}),
        }),
      );
      return tokens.add(token);
    },

    async daemon(o = {}) {
      const home = await mkdtemp(join(root, 'home-'));
      const frames: EventFrame[] = [];
      const logs: string[] = [];
      const npm = fakeNpm();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: pathWithNode(),
        PIPEDAI_HOME: home,
        ...(o.managed
          ? {
              npm_config_registry: `http://127.0.0.1:${registryPort}`,
              npm_config_cache: join(home, '.npm-cache'),
              npm_config_userconfig: join(home, '.npmrc-none'),
              NO_PROXY: '127.0.0.1,localhost',
            }
          : { PIPEDAI_WORKER_BIN: BIN }),
        PIPEDAI_SIM_HEARTBEAT_MS: '200',
        PIPEDAI_SIM_POLL_MS: '100',
        PIPEDAI_SIM_VERSION: SIM_VERSION,
        PIPEDAI_INTERNET_PROBE_URL: internetUrl,
        ...o.env,
      };
      for (const k of ['PIPEDAI_TIMINGS', 'PIPEDAI_NPM', 'PIPEDAI_BACKOFF_UNIT_MS']) delete env[k];
      if (o.managed) delete env.PIPEDAI_WORKER_BIN;
      const daemon = await openDaemon({
        host: 'headless',
        env,
        timings: { ...TEST_TIMINGS, ...o.timings },
        connectivityIntervalMs: 300,
        backoffUnitMs: 100,
        npmRunner: npm.runner,
        exitForRestart: () => undefined,
        log: (line) => {
          logs.push(line);
          evidence.add('log', home, line);
        },
      });
      const orchestrator = daemon.orchestrator;
      const unsubscribe = orchestrator.subscribe((frame) => {
        frames.push(frame);
        evidence.add(`frame:${frame.kind}`, home, JSON.stringify(frame));
      });
      const t: TestDaemon = {
        home,
        daemon,
        orchestrator,
        frames,
        logs,
        npm,
        fused: async (id) => (await orchestrator.listWorkers({})).items.find((w) => w.id === id),
        local: (id) => daemon.supervisor.status(id),
        running: (id, not) =>
          waitFor(`${id} running${not ? ` in a new process (not ${not})` : ''}`, () => {
            const s = daemon.supervisor.status(id);
            return s?.state === 'running' && s.pid !== not && s.pid;
          }),
        manifest: () => openStore(daemon.paths).manifest.list(),
        async failure(what, p) {
          const e = await p.then(
            () => new Error(`${what}: expected a failure, got success`),
            (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
          );
          evidence.error(what, e);
          return e;
        },
      };
      open.push({ t, unsubscribe });
      await orchestrator.start();
      return t;
    },

    async connect(t, o) {
      const { code } = z.object({ code: z.string() }).parse(
        await control('POST', '/sandbox/enrollment-codes', {
          ...(o.workspaceId ? { workspaceId: o.workspaceId } : {}),
        }),
      );
      tokens.add(code);
      const client = new ApiClient();
      let result: RedeemResponse;
      try {
        result = await redeemEnrollmentCode(
          client,
          proxy.url,
          code,
          { hostname: o.hostname, os: process.platform, version: SIM_VERSION },
          o.label ? { label: o.label } : {},
        );
      } catch (e) {
        evidence.error('connect', e);
        throw e;
      } finally {
        client.close();
      }
      const store = openStore(t.daemon.paths);
      const { entry, reused } = await persistEnrollment(
        {
          paths: t.daemon.paths,
          manifest: store.manifest,
          credentials: store.credentials,
          workerConfigs,
        },
        result,
        { hostname: o.hostname, ...(o.label ? { label: o.label } : {}) },
      );
      // As `connect` does when a daemon runs: hand the worker over now.
      if (reused) await t.orchestrator.restartWorker({ id: entry.id });
      else await t.orchestrator.startWorker({ id: entry.id });
      return { result, entry, reused };
    },

    async cleanup() {
      const survivors: number[] = [];
      for (const { t, unsubscribe } of open.splice(0)) {
        await t.daemon.close({ drain: true });
        unsubscribe();
        await evidence.files(t.home, t.home);
        const left = await simulatorsUnder(t.home);
        for (const pid of left) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        survivors.push(...left);
        await rm(t.home, { recursive: true, force: true });
      }
      if (survivors.length > 0)
        throw new Error(`worker processes survived the daemon: ${survivors.join(', ')}`);
    },

    async close() {
      await registry?.close();
      await proxy.close();
      await api.close();
      await new Promise<void>((resolve) => internet.close(() => resolve()));
      internet.closeAllConnections();
      await rm(root, { recursive: true, force: true });
    },
  };
  return suite;
}
