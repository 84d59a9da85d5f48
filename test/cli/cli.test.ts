// End to end through the built CLI (dist/cli.js) as child processes: the sandbox API, the worker
// simulator and a fake npm, one temp PIPEDAI_HOME. The steps build on each other (enroll, start,
// drive, stop), so they run in order against one daemon; short-lived children are reaped after
// each step, the sandbox and the daemon after the suite.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Diagnostics } from '../../app/shared/index.ts';
import {
  ANSI,
  CLI,
  ROOT,
  SANDBOX,
  childEnv,
  ensureBundles,
  killChildren,
  listeningPort,
  plainListener,
  processesWhere,
  run,
  sandboxPost,
  startChild,
  waitFor,
  type Child,
  type Listener,
} from './support/cli.ts';

interface WorkerRow {
  id: string;
  label: string;
  local: { state: string; pid: number | null } | null;
  runtime?: { source: string; version: string | null } | null;
}

const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const hasScript = spawnSync('script', ['--version']).status === 0;

// Generous: a loaded 2-core machine runs other suites' children at the same time.
describe.runIf(process.platform === 'linux')(
  'pipedai-orchestrator CLI (dist/cli.js)',
  { timeout: 180_000 },
  () => {
    let tmp = '';
    let home = '';
    let registry: Child;
    let registryUrl = '';
    let env: NodeJS.ProcessEnv = {};
    let api: Child;
    let apiUrl = '';
    let daemon: Child | null = null;
    let port = 0;
    let label = '';
    let workerId = '';
    /** Strangers' listeners: one on the port a stale owner record names, one on 4599 if free. */
    const strangers: Listener[] = [];
    const secrets: string[] = [];
    /** Every output of a CLI run except `dashboard` (which prints the token on purpose). */
    const outputs: string[] = [];

    const cli = async (args: string[], extraEnv: Record<string, string> = {}) => {
      const r = await run(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv } });
      if (args[0] !== 'dashboard') outputs.push(r.stdout, r.stderr);
      return r;
    };
    const workerRows = async (): Promise<WorkerRow[]> => {
      const r = await cli(['workers', '--json']);
      if (r.code !== 0) throw new Error(`workers --json exited ${r.code}: ${r.stderr}`);
      return (JSON.parse(r.stdout) as { items: WorkerRow[] }).items;
    };
    const localState = async (): Promise<string | undefined> =>
      (await workerRows()).find((w) => w.id === workerId)?.local?.state;
    /** Simulator processes of this suite's home (other suites may run simulators too). */
    const simulators = () =>
      processesWhere((cmd) => cmd.includes('pipedai-worker') && cmd.includes(home));
    const orch = (name: string) => join(home, 'orchestrator', name);

    beforeAll(async () => {
      await ensureBundles();
      tmp = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'cli-e2e-'));
      home = join(tmp, 'home');
      // The worker runtime comes from the sandbox registry, through npm on our own Node.
      registry = startChild(
        process.execPath,
        [SANDBOX, 'registry', '--port', '0', '--state', join(tmp, 'registry')],
        { env: childEnv({}) },
      );
      registryUrl = `http://127.0.0.1:${await listeningPort(registry)}`;
      api = startChild(
        process.execPath,
        [SANDBOX, 'api', '--port', '0', '--state', join(tmp, 'sandbox'), '--device-interval', '1'],
        { env: childEnv({}) },
      );
      apiUrl = `http://127.0.0.1:${await listeningPort(api)}`;
      env = childEnv({
        HOME: join(tmp, 'user'),
        PIPEDAI_HOME: home,
        PIPEDAI_SIM_HEARTBEAT_MS: '200',
        PIPEDAI_SIM_POLL_MS: '200',
        PIPEDAI_TIMINGS: JSON.stringify({ refreshMs: 300 }),
        PIPEDAI_INTERNET_PROBE_URL: `${apiUrl}/api/v1/health`,
        npm_config_registry: registryUrl,
        npm_config_cache: join(tmp, 'npm-cache'),
        NO_PROXY: '127.0.0.1,localhost',
      });
      delete env.PIPEDAI_WORKER_BIN;
    });

    afterEach(() =>
      killChildren((p) => p !== api.proc && p !== registry.proc && p !== daemon?.proc),
    );

    afterAll(async () => {
      await Promise.all(strangers.map((l) => l.close()));
      await killChildren();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('prints its version and help with exit 0', async () => {
      for (const args of [['version'], ['--version'], ['-V']]) {
        const r = await cli(args);
        expect(r.code, args.join(' ')).toBe(0);
        expect(r.stdout.trim()).toBe(VERSION);
      }
      const help = await cli(['--help']);
      expect(help.code).toBe(0);
      for (const c of ['connect', 'start', 'dashboard', 'workers', 'logs', 'upgrade'])
        expect(help.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
      // Node's compile cache for the bundle's chunks goes under PIPEDAI_HOME/cache/compile (Node
      // fills it at exit, unless something like coverage keeps it off), and only in a state
      // folder that exists: a command on a fresh host creates none.
      expect(existsSync(home)).toBe(false);
      mkdirSync(home, { recursive: true, mode: 0o700 });
      expect((await cli(['--help'])).code).toBe(0);
      expect(existsSync(join(home, 'cache', 'compile'))).toBe(true);
      rmSync(home, { recursive: true, force: true });
    });

    it('exits 2 on an unknown command, flag or bad flag value', async () => {
      const cmd = await cli(['frobnicate']);
      expect(cmd.code).toBe(2);
      expect(cmd.stderr).toContain("unknown command 'frobnicate'");
      const flag = await cli(['workers', '--frobnicate']);
      expect(flag.code).toBe(2);
      expect(flag.stderr).toContain("unknown option '--frobnicate'");
      const port = await cli(['start', '--port', '70000']);
      expect(port.code).toBe(2);
      expect(port.stderr).toContain('--port must be an integer 0..65535');
    });

    /** Owner lock and runtime record as a daemon writes them, naming `pid` and `port`. */
    const forgeOwner = (pid: number, startTime: string, port: number): void => {
      mkdirSync(orch(''), { recursive: true, mode: 0o755 });
      const since = Date.now();
      const lock = { pid, startTime, instanceId: 'forged', host: 'headless', startedAt: since };
      writeFileSync(orch('daemon.lock'), JSON.stringify({ ...lock, nonce: 'n' }));
      writeFileSync(
        orch('daemon.json'),
        JSON.stringify({ pid, port, instanceId: 'forged', host: 'headless', startedAt: since }),
      );
    };
    const strangerRequests = () => strangers.flatMap((l) => l.seen);

    it('a stranger listens where the last daemon was, and on 4599 when it is free', async () => {
      const recorded = await plainListener(0);
      strangers.push(recorded!);
      // The daemon that published that port is gone: a pid that exited, with its start time.
      const dead = spawnSync('true').pid!;
      forgeOwner(dead, '1', recorded!.port);
      const on4599 = await plainListener(4599);
      if (on4599) strangers.push(on4599);
      else
        console.warn(
          'cli.test: 127.0.0.1:4599 is busy (another suite?); its listener assertion is skipped',
        );
    });

    it('connect enrolls the host with a one-time code and writes private state', async () => {
      const { code } = await sandboxPost<{ code: string }>(apiUrl, '/sandbox/enrollment-codes', {});
      const r = await cli([
        'connect',
        '--token',
        code,
        '--api-url',
        apiUrl,
        '--no-install',
        '--no-open',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('registered');
      expect(r.stdout).toContain(`no daemon running for ${home}`);
      expect(r.stdout).toContain('pipedai-orchestrator start');
      expect(strangerRequests()).toEqual([]);

      const manifest = JSON.parse(readFileSync(orch('manifest.json'), 'utf8')) as {
        workers: Array<{ id: string; label: string; configPath: string; apiUrl: string }>;
      };
      expect(manifest.workers).toHaveLength(1);
      const entry = manifest.workers[0]!;
      ({ id: workerId, label } = entry);
      expect(entry.apiUrl).toBe(apiUrl);
      const config = JSON.parse(readFileSync(entry.configPath, 'utf8')) as {
        workerId: string;
        workerToken: string;
      };
      expect(config.workerId).toBe(workerId);
      const credentials = JSON.parse(readFileSync(orch('credentials.json'), 'utf8')) as {
        localToken: string;
        operators: Record<string, string>;
      };
      expect(credentials.operators[apiUrl]).toMatch(/^hos_/);
      for (const f of [entry.configPath, orch('credentials.json'), orch('manifest.json')])
        expect(statSync(f).mode & 0o777, f).toBe(0o600);
      expect(statSync(orch('')).mode & 0o777).toBe(0o700);
      secrets.push(
        code,
        config.workerToken,
        credentials.operators[apiUrl]!,
        credentials.localToken,
      );
      for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(s);
      // The runtime was installed under PIPEDAI_HOME first: the registry's latest.
      expect(r.stdout).toContain('worker runtime @pipedai/worker@1.4.2');
      expect(existsSync(join(home, 'runtime/worker/1.4.2/package-lock.json'))).toBe(true);
    });

    it('login --token warns that argv leaks the key; the environment and stdin do not', async () => {
      const flag = await cli([
        'login',
        '--api-url',
        apiUrl,
        '--scope',
        'pool',
        '--token',
        'pop_flag0123456789',
      ]);
      expect(flag.code, flag.stderr).toBe(0);
      expect(flag.stderr).toContain('--token puts a long-lived key in the process list');
      const quiet = await cli(['login', '--api-url', apiUrl, '--scope', 'pool'], {
        PIPEDAI_OPERATOR_TOKEN: 'pop_env0123456789',
      });
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(quiet.stderr).toBe('');
      secrets.push('pop_flag0123456789', 'pop_env0123456789');
    });

    it('with no live daemon, workers, logs, upgrade and dashboard say so and send no token anywhere', async () => {
      const runs = await Promise.all(
        [['workers'], ['logs', 'x'], ['upgrade', 'x'], ['dashboard']].map((args) => cli(args)),
      );
      for (const r of runs) {
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain(`no daemon running for ${home}`);
      }
      expect(strangerRequests()).toEqual([]);
    });

    it('a port named by hand, or by a live owner, gets the token only after the proof', async () => {
      const [recorded] = strangers;
      const asked = await cli(['workers', '--port', String(recorded!.port)]);
      expect(asked.code).toBe(1);
      expect(asked.stderr).toContain('could not prove it holds this host');
      // A live owner (this test process, by pid and start time) whose port a stranger now holds.
      const stat = readFileSync('/proc/self/stat', 'utf8');
      const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
      forgeOwner(process.pid, startTime, recorded!.port);
      const owned = await cli(['dashboard']);
      expect(owned.code).toBe(1);
      expect(owned.stderr).toContain('the token was not sent');
      expect(owned.stdout).not.toContain('token=');
      // Each asked for the proof, and nothing else: no Authorization header, no token.
      expect(recorded!.seen.map((h) => h.authorization)).toEqual([undefined, undefined]);
      const { localToken } = JSON.parse(readFileSync(orch('credentials.json'), 'utf8')) as {
        localToken: string;
      };
      expect(JSON.stringify(strangerRequests())).not.toContain(localToken);
      await Promise.all(strangers.splice(0).map((l) => l.close()));
      rmSync(orch('daemon.lock'));
      rmSync(orch('daemon.json'));
    });

    it('start refuses a non-loopback --host (exit 2) before taking the host or spawning', async () => {
      // `::1` too: every client reaches the daemon at 127.0.0.1.
      for (const host of ['0.0.0.0', '10.0.0.1', '::1']) {
        const r = await cli(['start', '--host', host, '--port', '0']);
        expect(r.code, host).toBe(2);
        expect(r.stderr).toContain(`refusing to listen on ${host}`);
        expect(r.stderr).toContain('loopback');
      }
      expect(existsSync(orch('daemon.lock'))).toBe(false);
      expect(existsSync(orch('daemon.json'))).toBe(false);
      expect(existsSync(join(home, 'logs'))).toBe(false);
      expect(simulators()).toEqual([]);
    });

    it('doctor with no daemon checks by itself, says the daemon is down and how to start it', async () => {
      const r = await cli(['doctor']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('checked by this CLI (no daemon answered)');
      expect(r.stdout).toMatch(/^\[✗\] Daemon +no daemon owns this host/m);
      expect(r.stdout).toMatch(/→ pipedai-orchestrator install/);
      expect(r.stdout).toMatch(
        new RegExp(`^\\[✓\\] pipedai-api +${apiUrl} answers in \\d+ ms`, 'm'),
      );
    });

    it('start runs the daemon in the foreground and supervises the worker', async () => {
      daemon = startChild(process.execPath, [CLI, 'start', '--port', '0'], { env });
      port = await listeningPort(daemon);
      await waitFor('the worker running', async () => (await localState()) === 'running');
      expect(simulators()).toHaveLength(1);
      // The state folder was created 0755 above: the daemon makes it private at start.
      for (const dir of [home, join(home, 'runs'), join(home, 'logs')])
        expect((statSync(dir).mode & 0o777).toString(8), dir).toBe('700');
    });

    it('logs <label> shows the simulator output', async () => {
      const out = await waitFor('the simulator start line in `logs`', async () => {
        const r = await cli(['logs', label]);
        return r.code === 0 && r.stdout.includes(`starting: worker ${workerId}`) && r.stdout;
      });
      expect(out).toContain('pipedai-worker 1.4.2');
    });

    it('status --json says what the logs and runs take on disk', async () => {
      const r = await cli(['status', '--json']);
      const { disk } = JSON.parse(r.stdout) as {
        disk: { logsBytes: number; captureBytes: number; runsBytes: number };
      };
      // The simulator has written to its output file and its log by now.
      expect(disk.captureBytes).toBeGreaterThan(0);
      expect(disk.logsBytes).toBeGreaterThan(0);
      expect(disk.runsBytes).toBeGreaterThanOrEqual(0);
    });

    it('doctor asks the running daemon: its worker, the managed runtime, the API and its clock, the disk, --json', async () => {
      const r = await cli(['doctor', '--json']);
      const report = Diagnostics.parse(JSON.parse(r.stdout));
      expect(report.by).toBe('daemon');
      const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
      expect(byId.daemon).toMatchObject({
        status: 'ok',
        summary: expect.stringContaining(`127.0.0.1:${port}`),
      });
      expect(byId[`worker:${workerId}`]).toMatchObject({
        title: `Worker ${label}`,
        status: 'ok',
        summary: expect.stringContaining('runtime 1.4.2'),
      });
      // The managed runtime, not a pipedai-worker on PATH: installed under PIPEDAI_HOME, run on
      // the daemon's own Node.
      expect(byId['worker-runtime']).toMatchObject({
        status: 'ok',
        summary: '@pipedai/worker 1.4.2 under PIPEDAI_HOME/runtime/worker',
        details: [`run by ${process.execPath}`],
      });
      // The same figures as `status --json` and /api/self.
      expect(byId.disk?.summary).toMatch(/^logs \S+ \S+, worker output \S+ \S+, runs /);
      expect(byId[`api:${apiUrl}`]?.summary).toMatch(/answers in \d+ ms; clock within 1 s$/);
      expect(byId.secrets).toMatchObject({ status: 'ok' });
      expect(r.code).toBe(report.checks.some((c) => c.status === 'fail') ? 1 : 0);
    });

    it('a second start exits non-zero naming the owner, and spawns nothing', async () => {
      const r = await cli(['start', '--port', '0']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`already owned by process ${daemon!.proc.pid}`);
      expect(simulators()).toHaveLength(1);
      expect(daemon!.proc.exitCode).toBeNull();
    });

    it('workers stop then workers start', async () => {
      const stop = await cli(['workers', 'stop', label]);
      expect(stop.code, stop.stderr).toBe(0);
      await waitFor('the worker stopped', async () => (await localState()) === 'stopped');
      await waitFor('no simulator process', () => simulators().length === 0, 10_000);
      const start = await cli(['workers', 'start', label]);
      expect(start.code, start.stderr).toBe(0);
      await waitFor('the worker running again', async () => (await localState()) === 'running');
    });

    it('logs -f prints new output as it comes (logs frames), Ctrl-C ends it', async () => {
      const follow = startChild(process.execPath, [CLI, 'logs', label, '-f', '--tail', '1'], {
        env,
      });
      const starts = () => follow.stdout().split(`starting: worker ${workerId}`).length - 1;
      await waitFor('the tail printed', () => follow.stdout().length > 0);
      const before = starts();
      // A restart makes the simulator print its start line again; restarted until the follower
      // (subscribed a moment after its tail) shows one.
      let restartedAt = 0;
      await waitFor('a new start line in the followed log', async () => {
        if (starts() > before) return true;
        if (Date.now() - restartedAt > 5_000) {
          restartedAt = Date.now();
          expect((await cli(['workers', 'restart', label])).code).toBe(0);
        }
        return false;
      });
      follow.proc.kill('SIGINT');
      expect((await follow.exited).code).toBe(0);
      await waitFor('the worker running', async () => (await localState()) === 'running');
    });

    it('upgrade <label> --version installs that version beside the old one and switches', async () => {
      const r = await cli(['upgrade', label, '--version', '1.5.0']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('@pipedai/worker@1.5.0');
      await waitFor('the worker running 1.5.0 after the upgrade', async () => {
        const w = (await workerRows()).find((x) => x.id === workerId);
        return w?.local?.state === 'running' && w.runtime?.version === '1.5.0';
      });
      expect(existsSync(join(home, 'runtime/worker/1.4.2'))).toBe(true);
      const table = await cli(['workers']);
      expect(table.stdout).toContain('managed 1.5.0');
    });

    it('dashboard prints the authenticated URL of the running daemon', async () => {
      const r = await cli(['dashboard'], { SSH_CONNECTION: '' });
      expect(r.code).toBe(0);
      const { localToken } = JSON.parse(readFileSync(orch('credentials.json'), 'utf8')) as {
        localToken: string;
      };
      expect(localToken).toMatch(/^oct_/);
      const url = `http://127.0.0.1:${port}/?token=${encodeURIComponent(localToken)}`;
      expect(r.stdout.trim()).toBe(url);
      expect(r.stderr).toBe('');

      // Over SSH: the same URL alone on stdout, and on stderr the tunnel to run at the other end.
      const ssh = await cli(['dashboard'], {
        SSH_CONNECTION: '203.0.113.7 50022 198.51.100.4 22',
        USER: 'ops',
      });
      expect(ssh.stdout.trim()).toBe(url);
      expect(ssh.stderr).toContain(`  ssh -L ${port}:127.0.0.1:${port} ops@198.51.100.4\n`);
      expect(ssh.stderr).toContain(`  ${url}\n`);
      // --open does not start a browser on the server: it says the same.
      const open = await cli(['dashboard', '--open'], {
        SSH_CONNECTION: '203.0.113.7 50022 198.51.100.4 22',
        USER: 'ops',
      });
      expect(open.stdout).toContain(`ssh -L ${port}:127.0.0.1:${port} ops@198.51.100.4`);
      expect(open.stdout).not.toContain('opening the dashboard');
    });

    it("a subcommand's own flags reach it, not its parent's namesakes", async () => {
      // `--port` after the verb belongs to the verb: this port has no daemon, so it must fail.
      const r = await cli(['workers', 'stop', label, '--port', '1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no daemon answers on 127.0.0.1:1');
      expect(await localState()).toBe('running');
    });

    it('workers start <unknown> exits 1 with a clear message', async () => {
      const r = await cli(['workers', 'start', 'nope']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no worker with id or label "nope"');
    });

    it.runIf(hasScript)('colours only on a terminal, and never with NO_COLOR', async () => {
      const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
      const onTty = (extra: Record<string, string>) =>
        run('script', ['-qec', `${quote(process.execPath)} ${quote(CLI)} workers`, '/dev/null'], {
          env: { ...env, TERM: 'xterm', ...extra },
        });
      const coloured = await onTty({});
      expect(coloured.code).toBe(0);
      expect(coloured.stdout).toMatch(ANSI);
      const plain = await onTty({ NO_COLOR: '1' });
      expect(plain.code).toBe(0);
      expect(plain.stdout).toContain(label);
      expect(plain.stdout).not.toMatch(ANSI);
    });

    it.runIf(hasScript)(
      'workers fits the terminal: label first, short id; --json keeps full ids',
      async () => {
        const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
        const inTerminal = (cols: number) =>
          run(
            'script',
            [
              '-qec',
              `stty cols ${cols}; ${quote(process.execPath)} ${quote(CLI)} workers`,
              '/dev/null',
            ],
            { env: { ...env, TERM: 'xterm', NO_COLOR: '1' } },
          );
        const wide = await inTerminal(160);
        const lines = wide.stdout.split(/\r?\n/).filter((l) => l.trim() !== '');
        expect(lines[0]).toMatch(
          /^LABEL\s+ID\s+MODE\s+LOCAL\s+REMOTE\s+RUN\s+VERSION\s+RUNTIME\s+CPU\s+MEM$/,
        );
        expect(lines[1]).toMatch(/\s\d+\.\d%\s+\d+(?:\.\d)? MiB$/);
        expect(lines[1]?.startsWith(`${label} `)).toBe(true);
        expect(lines[1]).toContain(` ${workerId.slice(0, 8)} `);
        expect(wide.stdout).not.toContain(workerId);
        const narrow = await inTerminal(30);
        for (const l of narrow.stdout.split(/\r?\n/)) expect(l.length, l).toBeLessThanOrEqual(30);
        expect(narrow.stdout).toMatch(/^LABEL\s+LOCAL\s+REMOTE/m);
        expect(JSON.stringify(await workerRows())).toContain(workerId);
      },
    );

    it('prints no escape codes and no secrets when the output is not a terminal', () => {
      expect(outputs.length).toBeGreaterThan(20);
      for (const o of outputs) {
        expect(o).not.toMatch(ANSI);
        for (const s of secrets) expect(o).not.toContain(s);
      }
    });

    it('SIGTERM drains: exit 0, no simulator left, no token in its output', async () => {
      const d = daemon!;
      expect(simulators()).toHaveLength(1);
      d.proc.kill('SIGTERM');
      const { code } = await d.exited;
      expect(code).toBe(0);
      expect(d.stderr()).toContain('draining 1 worker(s)');
      await waitFor('no simulator process', () => simulators().length === 0, 10_000);
      expect(existsSync(orch('daemon.lock'))).toBe(false);
      const output = d.stdout() + d.stderr();
      expect(output).not.toMatch(ANSI);
      for (const s of secrets) expect(output).not.toContain(s);
    });
  },
);
