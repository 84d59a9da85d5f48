// A throwaway machine with a real systemd as PID 1 (tools/systemd-box), for the services suite:
// boot it, run commands inside (as root or as a user), reboot it, stop it, and look at it from
// outside (its processes in /proc, its files through /proc/<init>/root). Its network is loopback
// only, so whatever the orchestrator talks to (the sandbox API, a registry) runs inside too.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { waitFor as poll } from '../support/wait-for.ts';

export const ROOT = realpathSync(resolve(dirname(fileURLToPath(import.meta.url)), '../..'));
export const BOX_TOOL = join(ROOT, 'tools/systemd-box/systemd-box');
/** This Node (22): the box sees the host's files, so the same binary runs inside. */
export const NODE = process.execPath;
export const CLI = join(ROOT, 'dist/cli.js');
export const SANDBOX = join(ROOT, 'dist/sandbox.js');
export const SIM_BIN = join(ROOT, 'sandbox/bin/pipedai-worker');
/** PATH inside the box: this Node first (the simulator's shebang is `env node`). */
export const BOX_PATH = `${dirname(NODE)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

/** Why boxes cannot run here, or null when they can. */
export function boxSkipReason(): string | null {
  if (process.platform !== 'linux') return 'systemd-box needs Linux';
  if (process.getuid?.() !== 0) return 'systemd-box needs root (it mounts and unshares)';
  const filesystems = readFileSync('/proc/filesystems', 'utf8');
  if (!filesystems.includes('\toverlay'))
    return 'systemd-box needs overlayfs (not in /proc/filesystems)';
  if (!filesystems.includes('\tcgroup2'))
    return 'systemd-box needs cgroup2 (not in /proc/filesystems)';
  if (!existsSync('/lib/systemd/systemd')) return 'systemd-box needs systemd installed';
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount', '--net', '--cgroup', 'true'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (probe.status !== 0)
    return `systemd-box needs namespaces (unshare failed: ${(probe.stderr || String(probe.error)).trim()})`;
  return null;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Run as this user (runuser), with a login-like environment; default root. */
  user?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Resolve with a non-zero exit instead of throwing. */
  allowFail?: boolean;
}

export interface BoxProcess {
  pid: number;
  argv: string[];
}

export interface Box {
  readonly name: string;
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** `bash -c script` inside; its stdout. Throws on a non-zero exit. */
  sh(script: string, opts?: ExecOptions): Promise<string>;
  /**
   * Power off (units stop as at a real shutdown) and boot again on the same disk. Throws when the
   * power-off took longer than `timeoutS` (the box was killed).
   */
  reboot(timeoutS?: number): Promise<void>;
  /** End it at once; frees its disk. Safe to call twice. */
  stop(): Promise<void>;
  /** A path inside the box, as seen from here (through its init's root). */
  path(inside: string): string;
  /** Live (not zombie) processes of the box. */
  processes(): Promise<BoxProcess[]>;
}

function run(argv: readonly string[], timeoutMs: number, allowFail: boolean): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      argv[0] as string,
      argv.slice(1),
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        if (code !== 0 && !allowFail) {
          reject(
            new Error(
              `${argv.join(' ').slice(0, 300)} → ${code ?? 'killed'}\n${stderr.trim()}\n${stdout.trim()}`.slice(
                0,
                4000,
              ),
            ),
          );
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * The checkout and its .tools (often a symlink: its real path), bound read-only: the box shows
 * the host's files, but not what lies under its own /tmp (a clean clone in CI).
 */
function bindsFor(): string[] {
  const tools = join(ROOT, '.tools');
  return [...new Set([ROOT, ...(existsSync(tools) ? [realpathSync(tools)] : [])])];
}

async function pidNamespace(pid: number): Promise<string | null> {
  return readlink(`/proc/${pid}/ns/pid`).catch(() => null);
}

/** Boots a box named `issue-18-<label>-<pid>` (unique per test process). */
export async function startBox(label: string): Promise<Box> {
  const name = `issue-18-${label}-${process.pid}`;
  const binds = bindsFor().flatMap((d) => ['--bind', d]);
  await run([BOX_TOOL, 'start', name, ...binds], 120_000, false);
  let init = Number((await run([BOX_TOOL, 'pid', name], 10_000, false)).stdout.trim());
  let stopped = false;

  const box: Box = {
    name,
    async exec(argv, opts = {}) {
      const env = Object.entries({ PATH: BOX_PATH, LANG: 'C.UTF-8', ...opts.env }).map(
        ([k, v]) => `${k}=${v}`,
      );
      const inner = opts.user
        ? [
            'runuser',
            '-u',
            opts.user,
            '--',
            'env',
            '-i',
            ...env,
            `HOME=/home/${opts.user}`,
            ...argv,
          ]
        : ['env', '-i', ...env, 'HOME=/root', ...argv];
      return run([BOX_TOOL, 'exec', name, ...inner], opts.timeoutMs ?? 60_000, !!opts.allowFail);
    },
    async sh(script, opts = {}) {
      return (await box.exec(['bash', '-c', script], opts)).stdout;
    },
    async reboot(timeoutS = 120) {
      const r = await run(
        [BOX_TOOL, 'reboot', name, String(timeoutS)],
        (timeoutS + 60) * 1000,
        false,
      );
      // systemd-box kills a box that does not power off in time, then boots it anyway.
      if (r.stderr.includes('did not power off')) throw new Error(`${name}: ${r.stderr.trim()}`);
      init = Number((await run([BOX_TOOL, 'pid', name], 10_000, false)).stdout.trim());
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await run([BOX_TOOL, 'stop', name], 60_000, true);
    },
    path: (inside) => `/proc/${init}/root${inside}`,
    async processes() {
      const ns = await pidNamespace(init);
      const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
      const found = await Promise.all(
        pids.map(async (pid): Promise<BoxProcess | null> => {
          const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
          const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
          if (!state || state === 'Z' || state === 'X') return null;
          if (ns === null || (await pidNamespace(pid)) !== ns) return null;
          const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
          return { pid, argv: cmdline.split('\0').filter(Boolean) };
        }),
      );
      return found.filter((p): p is BoxProcess => p !== null);
    },
  };
  return box;
}

/** Worker processes (`… run --config <path>`) live in the box. */
export async function workerProcesses(box: Box): Promise<BoxProcess[]> {
  return (await box.processes()).filter((p) =>
    p.argv.some((a, i) => a === 'run' && p.argv[i + 1] === '--config'),
  );
}

/** Adds an unprivileged user with a home (and, with `sudo`, a NOPASSWD sudoers entry). */
export async function addUser(box: Box, user: string, opts: { sudo?: boolean } = {}) {
  await box.exec(['useradd', '--create-home', '--shell', '/bin/bash', user]);
  if (opts.sudo)
    await box.sh(
      `echo '${user} ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/${user} && chmod 0440 /etc/sudoers.d/${user}`,
    );
  const uid = Number((await box.exec(['id', '-u', user])).stdout.trim());
  return { user, uid, home: `/home/${user}` };
}

/**
 * `pipedai-orchestrator` on the box's PATH (and sudo's secure_path): this checkout's CLI on this
 * Node, as `npm i -g` would place it.
 */
export async function installCli(box: Box): Promise<void> {
  await box.sh(
    `printf '#!/bin/sh\\nexec %s %s "$@"\\n' '${NODE}' '${CLI}' > /usr/local/bin/pipedai-orchestrator && chmod 0755 /usr/local/bin/pipedai-orchestrator`,
  );
}

/** logind is masked in a box; a user manager (user@UID.service, lingering) needs it. */
export async function startLogind(box: Box): Promise<void> {
  await box.sh(
    'rm -f /etc/systemd/system/systemd-logind.service && systemctl daemon-reload && systemctl start systemd-logind',
  );
}

export interface SandboxInBox {
  apiUrl: string;
  registryUrl?: string;
  /** A request to the sandbox API, made inside the box; the JSON body of a 2xx answer. */
  call(method: string, path: string, body?: unknown): Promise<unknown>;
}

const API_PORT = 4600;
const REGISTRY_PORT = 4873;

/**
 * The sandbox API (and with `registry`, the sandbox npm registry) as units of the box: they come
 * back after a reboot with their state, and stop after the orchestrator at power-off, so a drain
 * at shutdown can still report its run. The box has its own network: fixed ports collide with
 * nothing.
 */
export async function startSandboxIn(
  box: Box,
  opts: { registry?: boolean } = {},
): Promise<SandboxInBox> {
  const unit = (kind: string, port: number) =>
    [
      '[Unit]',
      `Description=PipedAI sandbox ${kind}`,
      'Before=pipedai-orchestrator.service',
      '[Service]',
      `ExecStart=${NODE} ${SANDBOX} ${kind} --port ${port} --state /var/lib/pipedai-sandbox-${kind}`,
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n');
  const units: Array<[kind: string, port: number]> = [['api', API_PORT]];
  if (opts.registry) units.push(['registry', REGISTRY_PORT]);
  for (const [kind, port] of units) {
    await box.sh(
      `cat > /etc/systemd/system/pipedai-sandbox-${kind}.service <<'EOF'\n${unit(kind, port)}EOF`,
    );
  }
  await box.exec(['systemctl', 'daemon-reload']);
  await box.exec(['systemctl', 'enable', '--now', ...units.map(([k]) => `pipedai-sandbox-${k}`)]);
  const apiUrl = `http://127.0.0.1:${API_PORT}`;
  const registryUrl = `http://127.0.0.1:${REGISTRY_PORT}`;
  const ready = async (url: string) => {
    for (let i = 0; i < 600; i++) {
      const r = await box.exec(['curl', '-fsS', '-o', '/dev/null', url], { allowFail: true });
      if (r.code === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${url} did not answer inside ${box.name}`);
  };
  await ready(`${apiUrl}/api/v1/health`);
  if (opts.registry) await ready(`${registryUrl}/@pipedai%2fworker`);
  return {
    apiUrl,
    ...(opts.registry ? { registryUrl } : {}),
    async call(method, path, body) {
      const args = ['curl', '-fsS', '-X', method, `${apiUrl}${path}`];
      if (body !== undefined)
        args.push('-H', 'content-type: application/json', '--data', JSON.stringify(body));
      return JSON.parse((await box.exec(args)).stdout) as unknown;
    },
  };
}

/**
 * The shared poll, with a probe that throws (a command inside failing while the box settles)
 * counting as "not yet".
 */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 250,
) {
  return poll(what, () => probe().catch(() => null), timeoutMs, everyMs);
}

/** A describe that runs where boxes can, and elsewhere reports a skip with the reason. */
export function describeInBox(name: string, body: () => void): void {
  const reason = boxSkipReason();
  if (reason) console.warn(`services suite: "${name}" skipped: ${reason}`);
  describe.skipIf(reason !== null)(reason ? `${name} (skipped: ${reason})` : name, body);
}
