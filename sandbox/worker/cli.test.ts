// The simulator's one-shot commands as a real child process: version, usage errors, register
// against the in-process API emulator, and run's refusal of a bad config.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApiEmulator, type ApiEmulator } from '../api/index.ts';
import { createTracker, sandboxCall } from './test-support.ts';

const t = createTracker();
// The emulator lives as long as the file: its state folder is not the tests' (their cleanup
// after each test would remove it under the running emulator, which still writes there).
const suite = createTracker();
let emu: ApiEmulator;

beforeAll(async () => {
  emu = await startApiEmulator({ port: 0, stateDir: join(suite.tempDir('sim-cli-emu-'), 'state') });
});
afterAll(async () => {
  await emu.close();
  suite.cleanup();
});
afterEach(() => t.cleanup());

describe('version', () => {
  it('prints the version by absolute path from another cwd and through PATH', async () => {
    const cwd = t.tempDir('sim-cwd-');
    const byPath = t.spawnSim(['version'], { cwd });
    const byName = t.spawnSim(['--version'], {
      cwd,
      viaPath: true,
      env: { PIPEDAI_SIM_VERSION: '2.3.4' },
    });
    expect(await byPath.exited).toEqual({ code: 0, signal: null });
    expect(byPath.stdout()).toBe('1.4.2\n');
    expect(await byName.exited).toEqual({ code: 0, signal: null });
    expect(byName.stdout()).toBe('2.3.4\n');
    expect(byName.stderr()).toBe(''); // no ExperimentalWarning either
  });

  it('the bin is executable', () => {
    expect(statSync(join(__dirname, '../bin/pipedai-worker')).mode & 0o755).toBe(0o755);
  });
});

describe('usage and environment errors', () => {
  it.each([[['frobnicate']], [['run', '--config', '/x', '--fast']], [[]]])(
    '%j → usage on stderr, exit 2',
    async (argv) => {
      const sim = t.spawnSim(argv);
      expect((await sim.exited).code).toBe(2);
      expect(sim.stderr()).toContain('usage: pipedai-worker');
      expect(sim.stdout()).toBe('');
    },
  );

  it('an invalid knob names the variable, exit 2', async () => {
    const sim = t.spawnSim(['version'], { env: { PIPEDAI_SIM_HEARTBEAT_MS: 'fast' } });
    expect((await sim.exited).code).toBe(2);
    expect(sim.stderr()).toContain('PIPEDAI_SIM_HEARTBEAT_MS: must be a whole number');
  });
});

describe('register', () => {
  const registerArgs = (token: string, config: string, extra: string[] = []) => [
    'register',
    '--token',
    token,
    '--api-url',
    `${emu.url}/`,
    '--config',
    config,
    '--hostname',
    'host-1',
    ...extra,
  ];

  it('registers a workspace worker and writes its config 0600 in a 0700 folder', async () => {
    const home = t.tempDir('sim-reg-');
    const config = join(home, 'orchestrator', 'workers', 'w.json');
    const sim = t.spawnSim(registerArgs(await emu.mintToken('wrk'), config), {
      env: { AUTH_MODE: 'api-key', PIPEDAI_SIM_VERSION: '1.9.0' },
    });
    expect(await sim.exited).toEqual({ code: 0, signal: null });
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'orchestrator', 'workers')).mode & 0o777).toBe(0o700);
    const text = readFileSync(config, 'utf8');
    const written = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(written)).toEqual([
      'workerId',
      'workerToken',
      'apiUrl',
      'workspaceId',
      'isPool',
    ]);
    expect(written).toMatchObject({ apiUrl: emu.url, workspaceId: 'ws_sandbox', isPool: false });
    expect(String(written.workerToken)).toMatch(/^wkt_/);
    expect(text).toContain('\n  "workerId"');
    const worker = await sandboxCall(
      emu.url,
      'GET',
      `/sandbox/workers/${String(written.workerId)}`,
    );
    expect(worker).toMatchObject({
      hostname: 'host-1',
      version: '1.9.0',
      authMode: 'api_key',
      pool: false,
    });
  });

  it('registers a pool worker with a pool_ token and --pool', async () => {
    const config = join(t.tempDir('sim-reg-'), 'p.json');
    const sim = t.spawnSim(registerArgs(await emu.mintToken('pool'), config, ['--pool']));
    expect((await sim.exited).code).toBe(0);
    expect(JSON.parse(readFileSync(config, 'utf8'))).toMatchObject({
      workspaceId: null,
      isPool: true,
    });
  });

  it('fails non-zero on a token the API rejects, without printing it', async () => {
    const token = 'wrk_thisIsNotAValidTokenAtAll0000';
    const config = join(t.tempDir('sim-reg-'), 'w.json');
    const sim = t.spawnSim(registerArgs(token, config));
    const { code } = await sim.exited;
    expect(code).not.toBe(0);
    expect(sim.stderr()).toContain('register failed');
    expect(sim.stderr()).toContain('HTTP 401');
    expect(sim.stdout() + sim.stderr()).not.toContain(token.slice(5, 12));
    expect(existsSync(config)).toBe(false);
  });

  it('checks the token shape like the real CLI: pool_ iff --pool', async () => {
    const config = join(t.tempDir('sim-reg-'), 'w.json');
    const poolToken = await emu.mintToken('pool');
    const noFlag = t.spawnSim(registerArgs(poolToken, config));
    expect((await noFlag.exited).code).toBe(1);
    expect(noFlag.stderr()).toContain(`${poolToken.slice(0, 5)}…`);
    expect(noFlag.stderr()).not.toContain(poolToken.slice(0, 9));
    const wrongFlag = t.spawnSim(registerArgs(await emu.mintToken('wrk'), config, ['--pool']));
    expect((await wrongFlag.exited).code).toBe(1);
    expect(wrongFlag.stderr()).toContain('expected pool_');
    expect(existsSync(config)).toBe(false);
  });

  it('fails when the API is unreachable, and on PIPEDAI_SIM_REGISTER_FAIL=1', async () => {
    const config = join(t.tempDir('sim-reg-'), 'w.json');
    const down = t.spawnSim([
      'register',
      '--token',
      'wrk_abcdefghijkl',
      '--api-url',
      'http://127.0.0.1:9',
      '--config',
      config,
      '--hostname',
      'h',
    ]);
    expect((await down.exited).code).toBe(1);
    expect(down.stderr()).toContain('network error calling POST /api/v1/worker/register');
    const knob = t.spawnSim(registerArgs(await emu.mintToken('wrk'), config), {
      env: { PIPEDAI_SIM_REGISTER_FAIL: '1' },
    });
    expect((await knob.exited).code).toBe(1);
    expect(knob.stderr()).toContain('simulated failure');
    expect(existsSync(config)).toBe(false);
  });
});

describe('run with a bad config', () => {
  it('exits 1 naming the file and the field', async () => {
    const config = join(t.tempDir('sim-run-'), 'w.json');
    writeFileSync(config, JSON.stringify({ workerId: 'w', apiUrl: emu.url }));
    const sim = t.spawnSim(['run', '--config', config]);
    expect((await sim.exited).code).toBe(1);
    expect(sim.stderr()).toContain(config);
    expect(sim.stderr()).toContain('workerToken');
  });
});
