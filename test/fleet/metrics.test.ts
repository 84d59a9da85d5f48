// A daemon with one running worker, as Prometheus sees it: GET /metrics through the built CLI's
// `start --log-format json`, checked by Debian's `promtool check metrics`, then a real
// `prometheus` server scraping it with the token file and answering through its HTTP API.
// `workers --json` carries the same CPU and memory figures. Skipped (with the reason) where the
// binaries are absent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  ROOT,
  SANDBOX,
  SIMULATOR,
  childEnv,
  ensureBundles,
  killChildren,
  listeningPort,
  run,
  sandboxPost,
  startChild,
  type Child,
} from '../cli/support/cli.ts';
import { waitFor } from '../support/wait-for.ts';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

const has = (bin: string): boolean => spawnSync(bin, ['--version']).status === 0;
const promtool = has('promtool');
const prometheus = has('prometheus');
if (!promtool)
  console.warn(
    'metrics.test: promtool not found (apt-get install prometheus): its checks are skipped',
  );
if (!prometheus)
  console.warn(
    'metrics.test: prometheus not found (apt-get install prometheus): the scrape test is skipped',
  );

describe.runIf(promtool)('deploy/prometheus', () => {
  it('alert rules pass promtool check rules (crash loop, host offline, stale status, stale version)', () => {
    const file = join(ROOT, 'deploy/prometheus/pipedai-orchestrator.rules.yml');
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS: 4 rules found');
    for (const alert of [
      'PipedaiWorkerCrashLooping',
      'PipedaiHostOffline',
      'PipedaiWorkerRemoteStatusStale',
      'PipedaiWorkerVersionStale',
    ])
      expect(readFileSync(file, 'utf8')).toContain(`alert: ${alert}`);
  });
});

interface WorkerJson {
  id: string;
  label: string;
  local: { state: string; pid: number | null } | null;
  resources?: { cpuPercent: number; rssBytes: number; processes: number } | null;
}

describe.runIf(process.platform === 'linux')(
  'metrics of a running daemon',
  { timeout: 180_000 },
  () => {
    let tmp = '';
    let env: NodeJS.ProcessEnv = {};
    let daemon: Child;
    let port = 0;
    let token = '';
    let worker: WorkerJson;

    beforeAll(async () => {
      await ensureBundles();
      tmp = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'metrics-'));
      const api = startChild(
        process.execPath,
        [SANDBOX, 'api', '--port', '0', '--state', join(tmp, 'sandbox')],
        {
          env: childEnv({}),
        },
      );
      const apiUrl = `http://127.0.0.1:${await listeningPort(api)}`;
      env = childEnv({
        HOME: join(tmp, 'user'),
        PIPEDAI_HOME: join(tmp, 'home'),
        PIPEDAI_WORKER_BIN: SIMULATOR,
        PIPEDAI_SIM_HEARTBEAT_MS: '200',
        PIPEDAI_SIM_POLL_MS: '200',
        PIPEDAI_TIMINGS: JSON.stringify({ refreshMs: 500 }),
        PIPEDAI_INTERNET_PROBE_URL: `${apiUrl}/api/v1/health`,
        PIPEDAI_CONNECTIVITY_MS: '1000',
        NO_PROXY: '127.0.0.1,localhost',
      });
      const { code } = await sandboxPost<{ code: string }>(apiUrl, '/sandbox/enrollment-codes', {});
      const connect = await run(
        process.execPath,
        [CLI, 'connect', '--token', code, '--api-url', apiUrl, '--no-install', '--no-open'],
        { env },
      );
      expect(connect.code, connect.stderr).toBe(0);
      daemon = startChild(process.execPath, [CLI, 'start', '--port', '0', '--log-format', 'json'], {
        env,
      });
      const listening = await waitFor('the daemon listening', () =>
        /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(daemon.stderr()),
      );
      port = Number(listening[1]);
      token = (
        JSON.parse(readFileSync(join(tmp, 'home', 'orchestrator', 'credentials.json'), 'utf8')) as {
          localToken: string;
        }
      ).localToken;
      worker = await waitFor(
        'a running worker with figures in workers --json',
        async () => {
          const r = await run(process.execPath, [CLI, 'workers', '--json'], { env });
          const w = (JSON.parse(r.stdout || '{"items":[]}') as { items: WorkerJson[] }).items[0];
          // The first sample may catch the process while it starts (no pages yet).
          return w?.local?.state === 'running' && (w.resources?.rssBytes ?? 0) > 1024 * 1024
            ? w
            : null;
        },
        60_000,
        500,
      );
    });

    afterAll(async () => {
      // A drain: the worker stops with the daemon (a SIGKILL would leave it running, by design).
      if (daemon && daemon.proc.exitCode === null && daemon.proc.signalCode === null) {
        daemon.proc.kill('SIGTERM');
        await daemon.exited;
      }
      await killChildren();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('workers --json carries the CPU and memory of the running worker', () => {
      expect(worker.resources!.rssBytes).toBeGreaterThan(1024 * 1024);
      expect(worker.resources!.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(worker.resources!.processes).toBeGreaterThanOrEqual(1);
    });

    it('GET /metrics: 200 in the text format with the token, 401 without', async () => {
      const url = `http://127.0.0.1:${port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer oct_wrong' } })).status).toBe(
        401,
      );
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      const labels = `worker="${worker.label}",id="${worker.id}"`;
      expect(text).toContain(`pipedai_worker_state{${labels},state="running"} 1`);
      expect(text).toMatch(new RegExp(`pipedai_worker_resident_memory_bytes\\{${labels}\\} \\d+`));
      expect(text).toContain('pipedai_orchestrator_build_info{');
      expect(text).toContain('pipedai_worker_log_bytes_total{');
      expect(text).toContain('pipedai_connectivity_verdict{verdict=');
      // Never a token or a path in a label (or anywhere in the exposition).
      expect(text).not.toContain(token);
      expect(text).not.toMatch(/(?:enr|wrk|wkt|oct)_[A-Za-z0-9_-]{8,}/);
      expect(text).not.toContain(tmp);
      if (promtool) {
        const check = spawnSync('promtool', ['check', 'metrics'], {
          input: text,
          encoding: 'utf8',
        });
        expect(check.status, check.stdout + check.stderr).toBe(0);
      }
    });

    it.runIf(prometheus)(
      'a prometheus server scrapes it with the token file: up == 1, the worker has a state series',
      async () => {
        const dir = join(tmp, 'prometheus');
        rmSync(dir, { recursive: true, force: true });
        spawnSync('mkdir', ['-p', join(dir, 'data')]);
        const tokenFile = join(dir, 'token');
        writeFileSync(tokenFile, token, { mode: 0o600 });
        // The shipped alert rules load beside it (rule_files names them relative to the config).
        writeFileSync(
          join(dir, 'pipedai-orchestrator.rules.yml'),
          readFileSync(join(ROOT, 'deploy/prometheus/pipedai-orchestrator.rules.yml')),
        );
        // The shipped scrape job, pointed at this daemon's port and token file.
        const shipped = readFileSync(join(ROOT, 'deploy/prometheus/scrape.yml'), 'utf8')
          .replace(/127\.0\.0\.1:4599/g, `127.0.0.1:${port}`)
          .replace(/scrape_interval: 15s/, 'scrape_interval: 2s\n    scrape_timeout: 2s')
          .replace(/credentials_file: .*/g, `credentials_file: ${tokenFile}`);
        writeFileSync(
          join(dir, 'prometheus.yml'),
          `global:\n  scrape_interval: 2s\n  evaluation_interval: 2s\n${shipped}`,
        );
        const server = startChild(
          'prometheus',
          [
            `--config.file=${join(dir, 'prometheus.yml')}`,
            `--storage.tsdb.path=${join(dir, 'data')}`,
            // Prometheus logs the address it was given, not the port it got: take a free one.
            `--web.listen-address=127.0.0.1:${await freePort()}`,
          ],
          { env: childEnv({}) },
        );
        const web = await waitFor('prometheus ready', () =>
          server.stderr().includes('Server is ready to receive web requests')
            ? /address=127\.0\.0\.1:(\d+)/.exec(server.stderr())
            : null,
        );
        const promUrl = `http://127.0.0.1:${web[1]}`;
        const query = async (q: string) => {
          const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
          return (
            (await res.json()) as {
              data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
            }
          ).data.result;
        };
        const up = await waitFor(
          'up == 1',
          async () => {
            const r = await query('up{job="pipedai-orchestrator"}').catch(() => []);
            return r[0]?.value[1] === '1' ? r : null;
          },
          60_000,
          500,
        );
        expect(up).toHaveLength(1);
        const state = await waitFor(
          'the worker state series',
          async () => {
            const r = await query(`pipedai_worker_state{id="${worker.id}",state="running"}`);
            return r.length > 0 ? r : null;
          },
          30_000,
          500,
        );
        expect(state[0]?.value[1]).toBe('1');
        server.proc.kill('SIGTERM');
        await server.exited;
      },
    );

    it('logs one JSON object a line (level, time, event), tokens scrubbed', () => {
      const lines = daemon
        .stderr()
        .split('\n')
        .filter((l) => l.trim() !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) {
        const rec = JSON.parse(l) as Record<string, unknown>;
        expect(Object.keys(rec)).toEqual(expect.arrayContaining(['level', 'time', 'event', 'msg']));
        expect(Number.isNaN(Date.parse(String(rec.time)))).toBe(false);
      }
      expect(lines.some((l) => (JSON.parse(l) as { event: string }).event === 'listening')).toBe(
        true,
      );
      expect(daemon.stderr()).not.toContain(token);
    });
  },
);
