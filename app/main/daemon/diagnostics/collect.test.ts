// What doctor finds on a real disk and over real HTTP: a temp PIPEDAI_HOME with files of known
// modes and sizes, a pipedai-api health endpoint whose clock runs ten minutes behind, the managed
// runtime as read from that home (nothing installed), a PIPEDAI_WORKER_BIN override of our own.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../api/index.ts';
import { measureDisk } from '../disk-usage.ts';
import { pathsFor } from '../paths.ts';
import { bundledNpmCli, createWorkerRuntime, plainNode } from '../runtime/index.ts';
import { createToolRunner } from '../tools/run-tool.ts';
import { createWorkerCli, WORKER_PACKAGE } from '../tools/worker-cli.ts';
import type { Diagnostics } from '../../../shared/index.ts';
import type { DiagnosticFacts } from './checks.ts';
import { collectDiagnostics, sharedDiagnostics } from './collect.ts';

describe.runIf(process.platform !== 'win32')('collectDiagnostics', () => {
  let root = '';
  let server: Server;
  let apiUrl = '';
  const api = new ApiClient();

  beforeAll(async () => {
    root = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'doctor-'));
    server = createServer((req, res) => {
      // The API's clock is 10 minutes behind ours.
      res.writeHead(req.url === '/api/v1/health' ? 200 : 404, {
        date: new Date(Date.now() - 600_000).toUTCString(),
      });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    api.close();
    await new Promise((r) => server.close(r));
    rmSync(root, { recursive: true, force: true });
  });

  it('reports modes, sizes, the worker runtime and the API clock as found', async () => {
    const paths = pathsFor(join(root, 'home'));
    mkdirSync(paths.workersDir, { recursive: true, mode: 0o700 });
    chmodSync(paths.home, 0o755); // too open
    chmodSync(paths.orchestratorDir, 0o700);
    writeFileSync(paths.credentials, '{}', { mode: 0o600 });
    const config = paths.workerConfig('gpu-box');
    writeFileSync(config, '{}', { mode: 0o644 }); // too open
    mkdirSync(join(paths.runsDir, 'w-1'), { recursive: true });
    writeFileSync(join(paths.runsDir, 'w-1', 'r1.jsonl'), 'x'.repeat(3000));
    mkdirSync(paths.logsDir, { recursive: true });
    writeFileSync(paths.logFile('w-1'), 'y'.repeat(1000));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'pipedai-worker'), '#!/bin/sh\necho "1.4.2"\n', { mode: 0o755 });
    const worker = join(bin, 'pipedai-worker');
    const env = { PATH: '/usr/bin:/bin', PIPEDAI_HOME: paths.home, PIPEDAI_WORKER_BIN: worker };
    const run = createToolRunner(process.platform);
    const runtime = createWorkerRuntime({
      home: paths.home,
      pkg: WORKER_PACKAGE,
      platform: process.platform,
      node: plainNode(),
      npmCli: bundledNpmCli(),
      run,
      env,
    });
    await runtime.refresh();

    const report = await collectDiagnostics({
      paths,
      env,
      platform: process.platform,
      by: 'cli',
      version: '0.8.0',
      manifest: [
        {
          id: 'w-1',
          label: 'gpu-box',
          apiUrl,
          workspaceId: 'ws',
          configPath: config,
          mode: 'workspace',
          desiredState: 'enabled',
        },
      ],
      owner: async () => null,
      service: async () => null,
      runtime: runtime.overview(),
      runtimeOf: (id) => runtime.view(id),
      workerVersion: () => createWorkerCli(run, worker, env).version(),
      disk: () => measureDisk(paths),
      probeApi: (url) => api.healthAndDate(url),
    });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(report.by).toBe('cli');
    expect(byId['worker-runtime']).toMatchObject({
      status: 'ok',
      summary: `pipedai-worker 1.4.2 (${worker})`,
      details: [`PIPEDAI_WORKER_BIN=${worker} runs every worker; the managed runtime is not used`],
    });
    expect(byId['worker:w-1']).toMatchObject({
      status: 'ok',
      summary: 'version unknown, runtime PIPEDAI_WORKER_BIN, not supervised',
    });
    expect(byId[`api:${apiUrl}`]).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(/this clock is (599|600|601) s ahead of the API/),
      fix: expect.any(String),
    });
    expect(byId.secrets).toMatchObject({ status: 'fail' });
    expect(byId.secrets?.details).toEqual([
      `${paths.home} is 0755 (want 0700)`,
      `${config} is 0644 (want 0600)`,
    ]);
    expect(byId.disk?.summary).toMatch(
      /^logs 1000 B, worker output 0 B, runs 2\.9 KiB, connectivity 0 B; \S+ \S+ free under /,
    );
    expect(byId.daemon).toMatchObject({ status: 'fail' });
    // The worker environment is the one given, not ours.
    expect(byId['worker-env']?.details[0]).toBe('PATH: /usr/bin:/bin');
  });
});

describe('sharedDiagnostics', () => {
  it('runs one collection for everyone asking meanwhile, each judged for its own CLI', async () => {
    let collections = 0;
    let release!: () => void;
    const facts = {
      now: 1,
      platform: 'linux',
      arch: 'x64',
      by: 'daemon',
      versions: { orchestrator: '0.8.0', node: 'v22.23.3' },
      owner: {
        pid: 1,
        port: 4599,
        instanceId: 'i',
        host: 'headless',
        startedAt: 0,
        version: '0.8.0',
      },
      service: null,
      runtime: {
        package: '@pipedai/worker',
        versions: [],
        install: null,
        node: { execPath: '/n', electron: false },
        environment: { source: 'inherited', note: null },
      },
      override: null,
      workers: [],
      workerEnv: { path: [], node: '/n' },
      apis: [],
      secretFiles: [],
      disk: { usage: null, freeBytes: null },
    } satisfies DiagnosticFacts;
    const collect = () => {
      collections++;
      return new Promise<DiagnosticFacts>((r) => (release = () => r(facts)));
    };
    const doctor = sharedDiagnostics('/h');
    const asks = [doctor(collect), doctor(collect, '0.9.0'), doctor(collect, '0.8.0')];
    release();
    const [plain, newer, same] = await Promise.all(asks);
    expect(collections).toBe(1);
    const daemon = (r: Diagnostics | undefined) => r?.checks.find((c) => c.id === 'daemon')?.status;
    expect([daemon(plain), daemon(newer), daemon(same)]).toEqual(['ok', 'warn', 'ok']);
    const again = doctor(collect);
    release();
    await again;
    expect(collections).toBe(2);
  });
});
