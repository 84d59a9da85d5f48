// The acceptance path of a fresh machine: no `node`, `npm` or `pipedai-worker` on PATH (only
// `ps`, which process-tree kill needs), the daemon started by absolute path to Node 22, npm
// pointed at the sandbox registry. Pairing from the control API installs the managed runtime;
// the worker runs on the daemon's own Node from PIPEDAI_HOME; upgrades switch side by side and a
// broken release is rolled back by itself.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EventFrame, FusedWorker } from '../../app/shared/index.ts';
import {
  CLI,
  SANDBOX,
  childEnv,
  ensureBundles,
  killChildren,
  listeningPort,
  sandboxPost,
  startChild,
  waitFor,
  type Child,
} from './support/cli.ts';

describe('a fresh host: nothing on PATH but ps', { timeout: 180_000 }, () => {
  let tmp = '';
  let home = '';
  let apiUrl = '';
  let daemonUrl = '';
  let token = '';
  let daemon: Child;
  const frames: EventFrame[] = [];
  let ws: WebSocket | null = null;

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${daemonUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const workers = async () => (await api<{ items: FusedWorker[] }>('GET', '/api/workers')).items;
  const argvOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  /** The worker, when its process runs the managed script of `version`. */
  const runningOn = async (version: string): Promise<FusedWorker | undefined> => {
    const w = (await workers())[0];
    const pid = w?.local?.state === 'running' ? w.local.pid : null;
    return pid && argvOf(pid)[1] === scriptOf(version) ? w : undefined;
  };
  const scriptOf = (version: string) =>
    join(home, 'runtime/worker', version, 'node_modules/@pipedai/worker/bin/pipedai-worker.js');

  beforeAll(async () => {
    await ensureBundles();
    tmp = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'fresh-host-'));
    home = join(tmp, 'home');
    const psOnly = join(tmp, 'bin');
    mkdirSync(psOnly);
    symlinkSync(
      execFileSync('sh', ['-c', 'command -v ps'], { encoding: 'utf8' }).trim(),
      join(psOnly, 'ps'),
    );
    const sandbox = startChild(
      process.execPath,
      [SANDBOX, 'api', '--port', '0', '--state', join(tmp, 'api'), '--device-interval', '1'],
      { env: childEnv({}) },
    );
    const registry = startChild(
      process.execPath,
      [SANDBOX, 'registry', '--port', '0', '--state', join(tmp, 'registry')],
      { env: childEnv({}) },
    );
    apiUrl = `http://127.0.0.1:${await listeningPort(sandbox)}`;
    const registryUrl = `http://127.0.0.1:${await listeningPort(registry)}`;
    // Nothing inherited: exactly what a launcher with no shell profile would hand over.
    daemon = startChild(process.execPath, [CLI, 'start', '--port', '0'], {
      env: {
        PATH: psOnly,
        HOME: join(tmp, 'user'),
        PIPEDAI_HOME: home,
        npm_config_registry: registryUrl,
        npm_config_cache: join(tmp, 'npm-cache'),
        NO_PROXY: '127.0.0.1,localhost',
        PIPEDAI_TIMINGS: JSON.stringify({ refreshMs: 300, drainPollMs: 200 }),
        PIPEDAI_BACKOFF_UNIT_MS: '100',
        PIPEDAI_INTERNET_PROBE_URL: `${apiUrl}/api/v1/health`,
        PIPEDAI_SIM_HEARTBEAT_MS: '200',
        PIPEDAI_SIM_POLL_MS: '200',
      },
    });
    daemonUrl = `http://127.0.0.1:${await listeningPort(daemon)}`;
    token = (
      JSON.parse(readFileSync(join(home, 'orchestrator/credentials.json'), 'utf8')) as {
        localToken: string;
      }
    ).localToken;
    ws = new WebSocket(`${daemonUrl.replace('http', 'ws')}/api/events?token=${token}`, {
      headers: { origin: daemonUrl },
    });
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as EventFrame));
    await new Promise((resolve, reject) => ws!.once('open', resolve).once('error', reject));
  });

  afterAll(async () => {
    ws?.close();
    if (daemon && daemon.proc.exitCode === null) {
      daemon.proc.kill('SIGTERM');
      await daemon.exited;
    }
    await killChildren();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('pairs, installs the runtime, runs the worker on the daemon’s Node; upgrades; rolls back 1.5.1 by itself', async () => {
    const pairing = await api<{ userCode: string }>('POST', '/api/pairing', {
      apiUrl,
      label: 'fresh',
    });
    await sandboxPost(apiUrl, '/sandbox/device/approve', { userCode: pairing.userCode });
    const running = await waitFor(
      'the paired worker running',
      async () => (await workers()).find((w) => w.local?.state === 'running' && w.local.pid),
      90_000,
    );
    const pid = running.local!.pid!;
    expect(realpathSync(`/proc/${pid}/exe`)).toBe(realpathSync(process.execPath));
    expect(argvOf(pid)[1]).toBe(scriptOf('1.4.2'));
    expect(running.runtime).toMatchObject({ source: 'managed', version: '1.4.2' });
    const phases = frames.flatMap((f) => (f.kind === 'runtime' ? [f.install.phase] : []));
    expect(phases).toEqual(
      expect.arrayContaining(['resolving', 'downloading', 'installing', 'verifying', 'done']),
    );

    await api('POST', `/api/workers/${running.id}/upgrade`, { version: '1.5.0' });
    const upgraded = await waitFor('1.5.0 running', async () => runningOn('1.5.0'));
    expect(upgraded.runtime).toMatchObject({ version: '1.5.0', previous: '1.4.2' });
    expect(existsSync(scriptOf('1.4.2'))).toBe(true);

    await api('POST', `/api/workers/${running.id}/upgrade`, { version: '1.5.1' });
    const back = await waitFor(
      '1.5.0 running again after the rollback',
      async () => {
        const w = await runningOn('1.5.0');
        return w?.runtime?.rolledBackFrom === '1.5.1' ? w : undefined;
      },
      60_000,
    );
    expect(back.runtime).toMatchObject({ version: '1.5.0', rolledBackAutomatically: true });
    // The frame and the log line leave with the state the answer above read; under load they
    // may arrive a moment after it.
    const rollback = await waitFor('the rollback frame', () =>
      frames.find((f) => f.kind === 'rollback'),
    );
    expect(rollback).toMatchObject({
      rollback: { from: '1.5.1', to: '1.5.0', automatic: true, label: 'fresh' },
    });
    await waitFor('the rollback in the daemon log', () =>
      /fresh: rolled back from 1\.5\.1 to 1\.5\.0/.test(daemon.stderr()),
    );
  });
});
