// The Ansible role of deploy/ansible, run as an operator runs it (`ansible-playbook -c local`,
// Debian's ansible-core) against the sandbox: npm installs @pipedai/orchestrator from the
// sandbox registry (a user .npmrc names it, as a fleet's would name its mirror), `connect`
// enrolls with a code given through stdin, the managed runtime installs the worker, and, with no
// service manager here, the role starts the daemon itself. The second run changes nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishOrchestrator } from '../support/orchestrator-package.ts';
import { waitFor } from '../support/wait-for.ts';
import {
  ROOT,
  SANDBOX,
  childEnv,
  ensureBundles,
  killChildren,
  listeningPort,
  run,
  sandboxPost,
  startChild,
} from '../cli/support/cli.ts';

/** A host's environment: without the npm_* variables `npm test` sets (they outrank .npmrc). */
function hostEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = childEnv(extra);
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) && !(k in extra)) delete env[k];
  return env;
}

const ansible = spawnSync('ansible-playbook', ['--version']).status === 0;
if (!ansible)
  console.warn('ansible.test: ansible-playbook not found (apt-get install ansible-core): skipped');

const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

describe.runIf(ansible && process.platform === 'linux')(
  'the Ansible role against the sandbox',
  { timeout: 600_000 },
  () => {
    let tmp = '';
    let code = '';
    let env: Record<string, string> = {};
    let daemonPid: number | null = null;
    const prefix = () => join(tmp, 'prefix');
    const cli = () => join(prefix(), 'bin', 'pipedai-orchestrator');

    const playbook = () =>
      run(
        'ansible-playbook',
        [
          '-c',
          'local',
          '-i',
          join(tmp, 'inventory.ini'),
          join(ROOT, 'deploy/ansible/playbook.yml'),
          '-e',
          `@${join(tmp, 'vars.json')}`,
        ],
        {
          env: hostEnv({
            HOME: join(tmp, 'user'),
            ANSIBLE_NOCOLOR: '1',
            ANSIBLE_LOCAL_TEMP: join(tmp, 'ansible-local'),
            ANSIBLE_REMOTE_TEMP: join(tmp, 'ansible-remote'),
            ANSIBLE_RETRY_FILES_ENABLED: '0',
          }),
          timeoutMs: 300_000,
        },
      );

    beforeAll(async () => {
      await ensureBundles();
      tmp = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'ansible-'));
      const registry = startChild(
        process.execPath,
        [SANDBOX, 'registry', '--port', '0', '--state', join(tmp, 'registry')],
        { env: childEnv({}) },
      );
      const registryUrl = `http://127.0.0.1:${await listeningPort(registry)}`;
      await publishOrchestrator(registryUrl, [VERSION]);
      const api = startChild(
        process.execPath,
        [SANDBOX, 'api', '--port', '0', '--state', join(tmp, 'sandbox')],
        { env: childEnv({}) },
      );
      const apiUrl = `http://127.0.0.1:${await listeningPort(api)}`;
      ({ code } = await sandboxPost<{ code: string }>(apiUrl, '/sandbox/enrollment-codes', {}));
      mkdirSync(join(tmp, 'user'), { recursive: true });
      // npm (the role's install, and the managed runtime's) reads the user's .npmrc.
      writeFileSync(join(tmp, 'user', '.npmrc'), `registry=${registryUrl}/\n`);
      env = {
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        HOME: join(tmp, 'user'),
        PIPEDAI_HOME: join(tmp, 'home'),
        npm_config_cache: join(tmp, 'npm-cache'),
        PIPEDAI_INTERNET_PROBE_URL: `${apiUrl}/api/v1/health`,
        PIPEDAI_SIM_HEARTBEAT_MS: '200',
        PIPEDAI_SIM_POLL_MS: '200',
        NO_PROXY: '127.0.0.1,localhost',
      };
      writeFileSync(
        join(tmp, 'inventory.ini'),
        `[pipedai]\nlocalhost ansible_connection=local ansible_python_interpreter=${process.env.PIPEDAI_ANSIBLE_PYTHON ?? '/usr/bin/python3'}\n`,
      );
      writeFileSync(
        join(tmp, 'vars.json'),
        JSON.stringify({
          pipedai_orchestrator_version: VERSION,
          pipedai_orchestrator_prefix: prefix(),
          pipedai_api_url: apiUrl,
          pipedai_enrollment_code: code,
          pipedai_worker_label: 'fleet-host-1',
          // No service manager in this container: the documented switch.
          pipedai_orchestrator_service: false,
          pipedai_orchestrator_log_file: join(tmp, 'daemon.log'),
          pipedai_orchestrator_env: env,
        }),
        { mode: 0o600 },
      );
    });

    afterAll(async () => {
      // The daemon the role started is no child of ours: end it by its pid (a drain).
      if (daemonPid !== null) {
        try {
          process.kill(daemonPid, 'SIGTERM');
          await waitFor(
            'the daemon gone',
            () => {
              try {
                process.kill(daemonPid!, 0);
                return false;
              } catch {
                return true;
              }
            },
            60_000,
            200,
          );
        } catch {
          // already gone
        }
      }
      await killChildren();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('installs, enrolls through stdin and starts the daemon; a second run changes nothing', async () => {
      const first = await playbook();
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(first.stdout).toMatch(
        /localhost\s*:\s*ok=\d+\s+changed=[3-9]\d*\s+unreachable=0\s+failed=0/,
      );
      // The role starts the daemon and returns; on a loaded machine its owner record may come a
      // moment later.
      type Status = {
        daemon: { pid: number } | null;
        enrolled: boolean;
        workers: Array<{ label: string }>;
      };
      const readStatus = async (): Promise<Status> =>
        JSON.parse(
          (await run(cli(), ['status', '--json'], { env: hostEnv(env) })).stdout,
        ) as Status;
      const status = await waitFor(
        'the daemon the role started',
        async () => {
          const s = await readStatus();
          return s.daemon ? s : null;
        },
        60_000,
        250,
      ).catch(() => readStatus());
      daemonPid = status.daemon?.pid ?? null;
      expect(status.enrolled).toBe(true);
      expect(status.workers.map((w) => w.label)).toEqual(['fleet-host-1']);
      expect(daemonPid).not.toBeNull();
      // The worker runs on the runtime the orchestrator installed from the registry.
      const worker = await waitFor(
        'the worker running',
        async () => {
          const r = await run(cli(), ['workers', '--json'], { env: hostEnv(env) });
          const w = (
            JSON.parse(r.stdout || '{"items":[]}') as {
              items: Array<{
                local: { state: string } | null;
                runtime?: { source: string } | null;
              }>;
            }
          ).items[0];
          return w?.local?.state === 'running' ? w : null;
        },
        120_000,
        500,
      );
      expect(worker.runtime?.source).toBe('managed');

      const second = await playbook();
      expect(second.code, second.stdout + second.stderr).toBe(0);
      expect(second.stdout).toMatch(
        /localhost\s*:\s*ok=\d+\s+changed=0\s+unreachable=0\s+failed=0/,
      );
      // Re-enrolling was a no-op: the same worker, the same daemon.
      const after = JSON.parse(
        (await run(cli(), ['status', '--json'], { env: hostEnv(env) })).stdout,
      ) as { daemon: { pid: number } | null; workers: unknown[] };
      expect(after.daemon?.pid).toBe(daemonPid);
      expect(after.workers).toHaveLength(1);
      // The code went through stdin: never in the playbook's output or the daemon's log.
      for (const out of [first.stdout, first.stderr, second.stdout, second.stderr])
        expect(out).not.toContain(code);
      expect(readFileSync(join(tmp, 'daemon.log'), 'utf8')).not.toContain(code);
      // The daemon logs JSON (the role's default format).
      const line = readFileSync(join(tmp, 'daemon.log'), 'utf8').split('\n')[0] ?? '';
      expect(JSON.parse(line)).toMatchObject({ level: 'info', event: expect.any(String) });
    });
  },
);
