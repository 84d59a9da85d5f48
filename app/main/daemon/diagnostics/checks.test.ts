import { describe, expect, it } from 'vitest';
import type { FusedWorker, RuntimeOverview } from '../../../shared/index.ts';
import {
  apiChecks,
  daemonCheck,
  diskCheck,
  runtimeCheck,
  secretsCheck,
  serviceCheck,
  workerRuntimeCheck,
  workerChecks,
  workerEnvCheck,
  type DiagnosticFacts,
} from './checks.ts';

const NOW = 1_800_000_000_000;

function overview(over: Partial<RuntimeOverview> = {}): RuntimeOverview {
  return {
    package: '@pipedai/worker',
    versions: [{ version: '1.4.2', installedAt: NOW, usedBy: ['w-1'] }],
    install: null,
    node: { execPath: '/usr/bin/node', electron: false },
    environment: { source: 'inherited', note: null },
    ...over,
  };
}

const managed = (version: string) => ({
  source: 'managed' as const,
  version,
  previous: null,
  command: `/h/runtime/worker/${version}/node_modules/@pipedai/worker/dist/cli.js`,
  rolledBackFrom: null,
  rolledBackAutomatically: false,
  problem: null,
});

function facts(over: Partial<DiagnosticFacts> = {}): DiagnosticFacts {
  return {
    now: NOW,
    platform: 'linux',
    arch: 'x64',
    by: 'daemon',
    versions: { orchestrator: '0.8.0', node: 'v22.23.3' },
    owner: {
      pid: 42,
      port: 4599,
      instanceId: 'i',
      host: 'headless',
      startedAt: NOW - 3 * 3600_000,
      version: '0.8.0',
    },
    service: {
      installed: true,
      running: true,
      name: 'systemd pipedai-orchestrator',
      detail: 'active',
    },
    runtime: overview(),
    override: null,
    workers: [],
    workerEnv: { path: ['/usr/local/bin', '/usr/bin'], node: '/usr/local/bin/node' },
    apis: [],
    secretFiles: [],
    disk: {
      usage: {
        logsBytes: 5 * 1024 ** 2,
        captureBytes: 3 * 1024,
        runsBytes: 200 * 1024,
        connectivityBytes: 1024,
        measuredAt: NOW,
      },
      freeBytes: 50 * 1024 ** 3,
    },
    ...over,
  };
}

function worker(over: Partial<FusedWorker>): FusedWorker {
  return {
    id: 'w-1',
    label: 'gpu-box',
    mode: 'workspace',
    apiUrl: 'https://api.pipedai.app',
    desiredState: 'enabled',
    local: {
      id: 'w-1',
      state: 'running',
      pid: 7,
      startedAt: NOW,
      restarts: 0,
      lastExit: null,
      draining: false,
      drainingSince: null,
      nextRestartAt: null,
      adopted: false,
    },
    remote: null,
    lastEvent: null,
    busy: false,
    currentRunId: null,
    workerVersion: '1.4.2',
    latestWorkerVersion: '1.4.2',
    versionStale: false,
    runtime: managed('1.4.2'),
    ...over,
  };
}

describe('doctor checks', () => {
  it('runtime: Node below the engines floor fails with how to get a newer one', () => {
    expect(runtimeCheck(facts())).toMatchObject({
      status: 'ok',
      summary: 'orchestrator 0.8.0 on Node v22.23.3, linux-x64',
    });
    expect(
      runtimeCheck(facts({ versions: { orchestrator: '0.8.0', node: 'v20.20.2' } })),
    ).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('nvm install 22'),
    });
  });

  it('daemon: none is a failure whose fix depends on the service; a stale daemon is a warning', () => {
    expect(daemonCheck(facts())).toMatchObject({
      status: 'ok',
      summary: 'pid 42 (headless) on 127.0.0.1:4599, up 3h, v0.8.0',
    });
    expect(daemonCheck(facts({ owner: null })).fix).toMatch(/^systemctl --user restart/);
    expect(daemonCheck(facts({ owner: null, service: null })).fix).toMatch(
      /^pipedai-orchestrator install/,
    );
    expect(daemonCheck(facts({ cliVersion: '0.9.0' }))).toMatchObject({
      status: 'warn',
      details: [expect.stringContaining('the daemon runs 0.8.0, this CLI is 0.9.0')],
    });
    expect(daemonCheck(facts({ owner: null, platform: 'darwin' })).fix).toMatch(
      /^launchctl kickstart/,
    );
  });

  it('service: installed and stopped fails; missing warns on a server, informs on a desktop', () => {
    const off = { installed: true, running: false, name: 'systemd x', detail: 'inactive' };
    expect(serviceCheck(facts({ service: off }))).toMatchObject({
      status: 'fail',
      fix: expect.any(String),
    });
    const none = { installed: false, running: false, name: 'systemd x', detail: '' };
    expect(serviceCheck(facts({ service: none }))).toMatchObject({
      status: 'warn',
      fix: 'pipedai-orchestrator install',
    });
    const desktop = facts({ service: none, owner: { ...facts().owner!, host: 'desktop' } });
    expect(serviceCheck(desktop)).toMatchObject({ status: 'info' });
    expect(serviceCheck(desktop).fix).toBeUndefined();
  });

  it('worker runtime: the managed versions and their Node; a failed install names the retry; the override', () => {
    expect(workerRuntimeCheck(facts())).toMatchObject({
      status: 'ok',
      summary: '@pipedai/worker 1.4.2 under PIPEDAI_HOME/runtime/worker',
      details: ['run by /usr/bin/node'],
    });
    const failed = overview({
      versions: [],
      install: {
        installId: 'i1',
        package: '@pipedai/worker',
        spec: 'latest',
        version: null,
        phase: 'failed',
        registry: 'http://127.0.0.1:4873/',
        workerIds: ['w-1'],
        startedAt: NOW,
        endedAt: NOW,
        failure: 'unreachable',
        error: 'the registry 127.0.0.1:4873 cannot be reached',
      },
    });
    expect(workerRuntimeCheck(facts({ runtime: failed, workers: [worker({})] }))).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining('the registry 127.0.0.1:4873 cannot be reached'),
      fix: 'pipedai-orchestrator workers install-runtime gpu-box',
    });
    expect(workerRuntimeCheck(facts({ runtime: overview({ versions: [] }) })).status).toBe('info');
    const missing = { command: '/opt/w', resolved: null, version: null };
    expect(workerRuntimeCheck(facts({ override: missing }))).toMatchObject({
      status: 'fail',
      summary: 'PIPEDAI_WORKER_BIN=/opt/w: not found',
    });
    expect(
      workerRuntimeCheck(facts({ override: { ...missing, resolved: '/opt/w', version: '9.9.9' } })),
    ).toMatchObject({ status: 'ok', summary: 'pipedai-worker 9.9.9 (/opt/w)' });
  });

  it('each worker: its runtime, none (with the install command), crash-looping, behind the latest', () => {
    expect(
      workerChecks(
        facts({
          workers: [
            worker({}),
            worker({
              id: 'w-2',
              label: 'old',
              workerVersion: '1.4.2',
              latestWorkerVersion: '1.5.0',
              versionStale: true,
              runtime: { ...managed('1.4.2'), source: 'path', version: null },
            }),
            worker({
              id: 'w-3',
              label: 'loop',
              local: {
                ...worker({}).local!,
                state: 'backing-off',
                restarts: 4,
                lastExit: { code: 3, signal: null, at: NOW },
              },
            }),
            worker({
              id: 'w-4',
              label: 'bare',
              local: { ...worker({}).local!, state: 'needs-runtime', pid: null },
              runtime: {
                ...managed('1.5.0'),
                source: 'none',
                command: null,
                problem: '@pipedai/worker@1.5.0 is not installed',
              },
            }),
          ],
        }),
      ).map((c) => [c.id, c.status, c.summary, c.fix]),
    ).toEqual([
      ['worker:w-1', 'ok', 'v1.4.2, runtime 1.4.2, running', undefined],
      [
        'worker:w-2',
        'warn',
        'v1.4.2 (latest 1.5.0), runtime from PATH, running',
        'pipedai-orchestrator upgrade old',
      ],
      [
        'worker:w-3',
        'fail',
        'v1.4.2, runtime 1.4.2, backing-off',
        'pipedai-orchestrator logs loop (why it exits), then pipedai-orchestrator workers restart loop',
      ],
      [
        'worker:w-4',
        'fail',
        'v1.4.2, no runtime, needs-runtime',
        'pipedai-orchestrator workers install-runtime bare',
      ],
    ]);
  });

  it('worker environment: no node on PATH matters only to a worker outside the managed runtime', () => {
    const noNode = { workerEnv: { path: ['/usr/bin', '/bin'], node: null } };
    expect(workerEnvCheck(facts()).status).toBe('ok');
    expect(workerEnvCheck(facts(noNode)).status).toBe('ok');
    expect(
      workerEnvCheck(facts({ ...noNode, override: { command: 'w', resolved: 'w', version: '1' } })),
    ).toMatchObject({
      status: 'warn',
      details: ['PATH: /usr/bin:/bin'],
    });
  });

  it('api: unreachable fails; a clock off by a minute warns, by ten fails, with the platform’s fix', () => {
    const api = (localOffsetMs: number, ok = true) => ({
      url: 'https://api.pipedai.app',
      probe: ok
        ? { ok: true, latencyMs: 40, status: 200 }
        : { ok: false, latencyMs: null, status: null, error: 'ECONNREFUSED' },
      serverDate: new Date(NOW).toUTCString(),
      localAt: NOW + localOffsetMs,
    });
    const one = (a: ReturnType<typeof api>, platform: NodeJS.Platform = 'linux') =>
      apiChecks(facts({ apis: [a], platform }))[0]!;
    expect(one(api(400))).toMatchObject({
      status: 'ok',
      summary: 'https://api.pipedai.app answers in 40 ms; clock within 1 s',
    });
    expect(one(api(0, false))).toMatchObject({
      status: 'fail',
      summary: 'https://api.pipedai.app: ECONNREFUSED',
    });
    expect(one(api(60_000))).toMatchObject({
      status: 'warn',
      summary: expect.stringContaining('this clock is 60 s ahead of the API'),
      fix: 'sudo timedatectl set-ntp true',
    });
    expect(one(api(-600_000), 'darwin')).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining('600 s behind'),
      fix: 'sudo sntp -sS time.apple.com',
    });
    expect(one(api(-600_000), 'win32').fix).toBe('w32tm /resync');
  });

  it('secret files: anything readable by others fails with one chmod line', () => {
    const ok = facts({
      secretFiles: [
        { path: '/h', kind: 'dir', mode: 0o700 },
        { path: '/h/o/credentials.json', kind: 'file', mode: 0o600 },
        { path: '/h/o/workers/a.json', kind: 'file', mode: null },
      ],
    });
    expect(secretsCheck(ok)).toMatchObject({
      status: 'ok',
      summary: '2 file(s) and folder(s) private to this user',
    });
    const open = facts({
      secretFiles: [
        { path: '/h', kind: 'dir', mode: 0o755 },
        { path: "/h/o/it's.json", kind: 'file', mode: 0o644 },
      ],
    });
    expect(secretsCheck(open)).toMatchObject({
      status: 'fail',
      details: ['/h is 0755 (want 0700)', "/h/o/it's.json is 0644 (want 0600)"],
      fix: "chmod 600 '/h/o/it'\\''s.json' && chmod 700 '/h'",
    });
    expect(secretsCheck({ ...open, platform: 'win32' }).status).toBe('info');
    expect(secretsCheck(facts()).status).toBe('info');
  });

  it('disk: what the state folder takes (the /api/self figures), and a warning when little is free', () => {
    expect(diskCheck(facts(), '/h')).toMatchObject({
      status: 'ok',
      summary:
        'logs 5.0 MiB, worker output 3.0 KiB, runs 200 KiB, connectivity 1.0 KiB; 50 GiB free under /h',
    });
    expect(
      diskCheck(facts({ disk: { usage: null, freeBytes: 10 * 1024 ** 2 } }), '/h'),
    ).toMatchObject({ status: 'warn', fix: expect.stringContaining('PIPEDAI_RUNS_MAX_MB') });
  });
});
