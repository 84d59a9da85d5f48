import { describe, expect, it } from 'vitest';
import type { FusedWorker } from '../../../shared/index.ts';
import {
  apiChecks,
  daemonCheck,
  diskCheck,
  runtimeCheck,
  secretsCheck,
  serviceCheck,
  workerBinaryCheck,
  workerChecks,
  workerEnvCheck,
  type DiagnosticFacts,
} from './checks.ts';

const NOW = 1_800_000_000_000;

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
    workerBinary: {
      configured: 'pipedai-worker',
      fromEnv: false,
      resolved: '/usr/bin/pipedai-worker',
      version: '1.4.2',
    },
    workers: [],
    workerEnv: { path: ['/usr/local/bin', '/usr/bin'], node: '/usr/local/bin/node' },
    apis: [],
    secretFiles: [],
    disk: {
      logsBytes: 5 * 1024 ** 2,
      runsBytes: 200 * 1024,
      freeBytes: 50 * 1024 ** 3,
      partial: false,
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

  it('worker binary and each worker: missing, crash-looping, behind the latest release', () => {
    const missing = { configured: 'pipedai-worker', fromEnv: false, resolved: null, version: null };
    expect(workerBinaryCheck(facts({ workerBinary: missing }))).toMatchObject({
      status: 'fail',
      fix: 'npm i -g @pipedai/worker',
    });
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
          ],
        }),
      ).map((c) => [c.id, c.status, c.summary, c.fix]),
    ).toEqual([
      ['worker:w-1', 'ok', 'v1.4.2, running', undefined],
      ['worker:w-2', 'warn', 'v1.4.2 (latest 1.5.0), running', 'pipedai-orchestrator upgrade old'],
      [
        'worker:w-3',
        'fail',
        'v1.4.2, backing-off',
        'pipedai-orchestrator logs loop (why it exits), then pipedai-orchestrator workers restart loop',
      ],
    ]);
  });

  it('worker environment: no node on the PATH workers get', () => {
    expect(workerEnvCheck(facts()).status).toBe('ok');
    expect(
      workerEnvCheck(facts({ workerEnv: { path: ['/usr/bin', '/bin'], node: null } })),
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

  it('disk: what logs and runs take, and a warning when little is free', () => {
    expect(diskCheck(facts(), '/h')).toMatchObject({
      status: 'ok',
      summary: 'logs 5.0 MiB, runs 200 KiB; 50 GiB free under /h',
    });
    expect(
      diskCheck(
        facts({ disk: { logsBytes: 0, runsBytes: 0, freeBytes: 10 * 1024 ** 2, partial: false } }),
        '/h',
      ),
    ).toMatchObject({ status: 'warn', fix: expect.stringContaining('/h/runs/') });
  });
});
