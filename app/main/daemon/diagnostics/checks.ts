// What `doctor` concludes from what it found: one check per concern, each with the command that
// fixes a problem. Pure: the facts are gathered by ./collect.ts.
import {
  compareVersions,
  type DiagnosticCheck,
  type DiskUsage,
  type FusedWorker,
  type Probe,
  type RuntimeOverview,
  type RuntimeRecord,
} from '../../../shared/index.ts';

/** The orchestrator's engines field: what the CLI, the daemon and the service need. */
export const MIN_NODE = '22.12.0';
/** Clock skew that deserves a look, and one that breaks TLS and token expiry checks. */
export const SKEW_WARN_MS = 30_000;
export const SKEW_FAIL_MS = 5 * 60_000;
/** Free space under PIPEDAI_HOME below which logs and runs may stop being written. */
export const LOW_DISK_BYTES = 1024 ** 3;

export interface ServiceFacts {
  installed: boolean;
  running: boolean;
  /** e.g. `systemd unit pipedai-orchestrator`. */
  name: string;
  detail: string;
}

export interface FileFacts {
  path: string;
  kind: 'file' | 'dir';
  /** Permission bits, or null when it does not exist. */
  mode: number | null;
}

export interface DiagnosticFacts {
  now: number;
  platform: NodeJS.Platform;
  arch: string;
  /** Who collects: the daemon, or the CLI with no daemon to ask. */
  by: 'daemon' | 'cli';
  versions: { orchestrator: string; node: string; electron?: string };
  owner: RuntimeRecord | null;
  /** The CLI asking, when it is not the daemon (its version may differ after an upgrade). */
  cliVersion?: string;
  /** null: no service manager on this platform, or it could not be asked. */
  service: ServiceFacts | null;
  /** The managed worker runtime (runtime/worker): its versions, the last install, its Node. */
  runtime: RuntimeOverview;
  /** PIPEDAI_WORKER_BIN, when set: it runs every worker instead of the managed runtime. */
  override: { command: string; resolved: string | null; version: string | null } | null;
  workers: FusedWorker[];
  /** The environment workers get (the daemon's): its PATH, and whether `node` is on it. */
  workerEnv: { path: string[]; node: string | null };
  apis: Array<{ url: string; probe: Probe; serverDate: string | null; localAt: number }>;
  secretFiles: FileFacts[];
  /** What the state folder's files take (the figures of /api/self), and the free space. */
  disk: { usage: DiskUsage | null; freeBytes: number | null };
}

const check = (
  id: string,
  title: string,
  status: DiagnosticCheck['status'],
  summary: string,
  more: { details?: string[]; fix?: string } = {},
): DiagnosticCheck => ({
  id,
  title,
  status,
  summary,
  details: more.details ?? [],
  ...(more.fix && (status === 'warn' || status === 'fail') ? { fix: more.fix } : {}),
});

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

function since(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

export function runtimeCheck(f: DiagnosticFacts): DiagnosticCheck {
  const v = f.versions;
  const summary = `orchestrator ${v.orchestrator} on Node ${v.node}${v.electron ? ` (Electron ${v.electron})` : ''}, ${f.platform}-${f.arch}`;
  const ok = (compareVersions(v.node, MIN_NODE) ?? -1) >= 0;
  return check('runtime', 'Runtime', ok ? 'ok' : 'fail', summary, {
    ...(ok ? {} : { details: [`Node ${MIN_NODE} or newer is required`] }),
    fix: 'install Node 22 (e.g. `nvm install 22`, or https://nodejs.org) and reinstall: `npm i -g @pipedai/orchestrator`',
  });
}

/** The command that starts the installed service again. */
function serviceStartFix(f: DiagnosticFacts): string {
  if (f.platform === 'darwin')
    return 'launchctl kickstart -k gui/$(id -u)/com.marolence.pipedai-orchestrator';
  if (f.platform === 'win32') return 'nssm restart PipedAIOrchestrator';
  return 'systemctl --user restart pipedai-orchestrator (as root: systemctl restart pipedai-orchestrator)';
}

export function daemonCheck(f: DiagnosticFacts): DiagnosticCheck {
  const o = f.owner;
  if (!o)
    return check(
      'daemon',
      'Daemon',
      'fail',
      'no daemon owns this host: the workers are not supervised',
      {
        fix: f.service?.installed
          ? serviceStartFix(f)
          : 'pipedai-orchestrator install (a service; or pipedai-orchestrator start, in a terminal)',
      },
    );
  const summary = `pid ${o.pid} (${o.host}) on 127.0.0.1:${o.port ?? '?'}, up ${since(f.now - o.startedAt)}${o.version ? `, v${o.version}` : ''}`;
  if (f.cliVersion && o.version && o.version !== f.cliVersion)
    return check('daemon', 'Daemon', 'warn', summary, {
      details: [
        `the daemon runs ${o.version}, this CLI is ${f.cliVersion}: the daemon runs the new version once restarted`,
      ],
      fix: o.host === 'desktop' ? 'quit and start the desktop app' : serviceStartFix(f),
    });
  return check('daemon', 'Daemon', 'ok', summary);
}

export function serviceCheck(f: DiagnosticFacts): DiagnosticCheck {
  const s = f.service;
  if (!s) return check('service', 'Service', 'info', 'no service manager to ask on this platform');
  const details = s.detail ? [s.detail.split('\n')[0] ?? ''] : [];
  if (s.running) return check('service', 'Service', 'ok', `${s.name}: running`, { details });
  if (s.installed)
    return check('service', 'Service', 'fail', `${s.name}: installed, not running`, {
      details,
      fix: serviceStartFix(f),
    });
  // The desktop app keeps its own daemon; a server wants the service so the daemon outlives SSH.
  const desktop = f.owner?.host === 'desktop';
  return check('service', 'Service', desktop ? 'info' : 'warn', `${s.name}: not installed`, {
    details: desktop ? ['the desktop app runs the daemon while it is open'] : [],
    fix: 'pipedai-orchestrator install',
  });
}

const RUNTIME_ID = 'worker-runtime';
const RUNTIME_TITLE = 'Worker runtime';

/**
 * What runs the workers: the managed runtime (installed versions under runtime/worker, on the
 * daemon's own Node), or the PIPEDAI_WORKER_BIN override. A failed last install is a problem.
 */
export function workerRuntimeCheck(f: DiagnosticFacts): DiagnosticCheck {
  const o = f.override;
  if (o) {
    const where = `PIPEDAI_WORKER_BIN=${o.command}`;
    const fix =
      'point PIPEDAI_WORKER_BIN at the pipedai-worker executable, or unset it to use the managed runtime';
    if (!o.resolved)
      return check(RUNTIME_ID, RUNTIME_TITLE, 'fail', `${where}: not found`, { fix });
    if (!o.version)
      return check(RUNTIME_ID, RUNTIME_TITLE, 'fail', `${where}: does not answer \`version\``, {
        fix,
      });
    return check(RUNTIME_ID, RUNTIME_TITLE, 'ok', `pipedai-worker ${o.version} (${o.resolved})`, {
      details: [`${where} runs every worker; the managed runtime is not used`],
    });
  }
  const r = f.runtime;
  const versions = r.versions.map((v) => v.version);
  const details = [
    `installed: ${versions.length > 0 ? versions.join(', ') : 'none'}`,
    `run by ${r.node.execPath}${r.node.electron ? ' (the app as Node)' : ''}`,
  ];
  const last = r.install;
  if (last?.phase === 'failed') {
    const waiting = f.workers.filter((w) => last.workerIds.includes(w.id)).map((w) => w.label);
    return check(
      RUNTIME_ID,
      RUNTIME_TITLE,
      versions.length > 0 ? 'warn' : 'fail',
      `the last install of ${last.package}@${last.version ?? last.spec} failed: ${last.error ?? last.failure ?? 'unknown error'}`,
      {
        details: [...details, ...(last.registry ? [`registry: ${last.registry}`] : [])],
        fix:
          waiting.length > 0
            ? `pipedai-orchestrator workers install-runtime ${waiting[0]}`
            : 'check the npm registry (npm config get registry, the proxy), then pipedai-orchestrator workers install-runtime <label>',
      },
    );
  }
  if (last && last.phase !== 'done')
    return check(
      RUNTIME_ID,
      RUNTIME_TITLE,
      'info',
      `installing ${last.package}@${last.version ?? last.spec} (${last.phase})`,
      { details },
    );
  if (versions.length === 0)
    return check(RUNTIME_ID, RUNTIME_TITLE, 'info', `no ${r.package} installed yet`, {
      details: ['`pipedai-orchestrator connect` (or the first worker) installs it'],
    });
  return check(
    RUNTIME_ID,
    RUNTIME_TITLE,
    'ok',
    `${r.package} ${versions.join(', ')} under PIPEDAI_HOME/runtime/worker`,
    { details: details.slice(1) },
  );
}

/** Which pipedai-worker a worker runs, in words. */
function runtimeWords(w: FusedWorker): string {
  const r = w.runtime;
  if (!r) return 'runtime unknown';
  if (r.source === 'managed') return `runtime ${r.version ?? '?'}`;
  if (r.source === 'path') return 'runtime from PATH';
  if (r.source === 'override') return 'runtime PIPEDAI_WORKER_BIN';
  return 'no runtime';
}

/** One check per worker: the version it runs against the latest, and whether it runs. */
export function workerChecks(f: DiagnosticFacts): DiagnosticCheck[] {
  return f.workers.map((w) => {
    const id = `worker:${w.id}`;
    const title = `Worker ${w.label}`;
    const version = w.workerVersion ? `v${w.workerVersion}` : 'version unknown';
    const state = w.local?.state ?? (w.desiredState === 'enabled' ? 'not supervised' : 'stopped');
    const summary = `${version}${w.versionStale && w.latestWorkerVersion ? ` (latest ${w.latestWorkerVersion})` : ''}, ${runtimeWords(w)}, ${state}${w.desiredState === 'disabled' ? ' (disabled)' : ''}`;
    const details = [`id ${w.id}`, `api ${w.apiUrl}`];
    if (w.runtime?.command) details.push(`runs ${w.runtime.command}`);
    if (w.runtime?.rolledBackFrom)
      details.push(
        `rolled back from ${w.runtime.rolledBackFrom}${w.runtime.rolledBackAutomatically ? ' by the daemon (it kept crashing)' : ''}`,
      );
    if (w.local?.lastExit)
      details.push(`last exit: ${w.local.lastExit.code ?? w.local.lastExit.signal}`);
    if (
      w.desiredState === 'enabled' &&
      (w.runtime?.source === 'none' || w.local?.state === 'needs-runtime')
    )
      return check(id, title, 'fail', summary, {
        details: [...details, ...(w.runtime?.problem ? [w.runtime.problem] : [])],
        fix: `pipedai-orchestrator workers install-runtime ${w.label}`,
      });
    if (
      w.desiredState === 'enabled' &&
      (w.local?.state === 'crashed' || (w.local?.restarts ?? 0) >= 3)
    )
      return check(id, title, 'fail', summary, {
        details,
        fix: `pipedai-orchestrator logs ${w.label} (why it exits), then pipedai-orchestrator workers restart ${w.label}`,
      });
    if (w.versionStale)
      return check(id, title, 'warn', summary, {
        details,
        fix: `pipedai-orchestrator upgrade ${w.label}`,
      });
    return check(id, title, 'ok', summary, { details });
  });
}

/**
 * The environment workers get. Workers run on the daemon's own Node (the runtime's node shim is
 * on their PATH too), so `node` missing from PATH is only worth knowing for a worker that runs
 * from PATH or PIPEDAI_WORKER_BIN, whose script may ask for it.
 */
export function workerEnvCheck(f: DiagnosticFacts): DiagnosticCheck {
  const e = f.workerEnv;
  const env = f.runtime.environment;
  const details = [`PATH: ${e.path.join(f.platform === 'win32' ? ';' : ':') || '(empty)'}`];
  if (e.node) details.push(`node: ${e.node}`);
  if (env.note) details.push(`environment: ${env.note}`);
  const from = env.source === 'login-shell' ? "the login shell's" : "the daemon's own";
  const unmanaged = f.override !== null || f.workers.some((w) => w.runtime?.source === 'path');
  if (!e.node && unmanaged)
    return check(
      'worker-env',
      'Worker environment',
      'warn',
      `${from} environment; \`node\` is not on the PATH a worker outside the managed runtime gets`,
      {
        details,
        fix:
          f.owner?.host === 'desktop'
            ? 'install Node where the desktop finds it (/usr/local/bin), or let the managed runtime run the worker (pipedai-orchestrator upgrade <label>)'
            : '`pipedai-orchestrator install` again from a shell where `node` works (the unit keeps that PATH), or let the managed runtime run the worker (pipedai-orchestrator upgrade <label>)',
      },
    );
  return check(
    'worker-env',
    'Worker environment',
    'ok',
    `${from} environment; ${e.path.length} PATH ${e.path.length === 1 ? 'entry' : 'entries'}`,
    { details },
  );
}

/** How to set the clock right, per platform. */
function clockFix(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'sudo sntp -sS time.apple.com';
  if (platform === 'win32') return 'w32tm /resync';
  return 'sudo timedatectl set-ntp true';
}

export function apiChecks(f: DiagnosticFacts): DiagnosticCheck[] {
  return f.apis.map((a) => {
    const id = `api:${a.url}`;
    const title = 'pipedai-api';
    if (!a.probe.ok)
      return check(id, title, 'fail', `${a.url}: ${a.probe.error ?? `HTTP ${a.probe.status}`}`, {
        details: [`GET ${a.url}/api/v1/health`],
        fix: 'check the network, DNS and proxy (HTTPS_PROXY); `pipedai-orchestrator connectivity --problems` shows since when',
      });
    const reached = `${a.url} answers in ${a.probe.latencyMs ?? '?'} ms`;
    const server = a.serverDate ? Date.parse(a.serverDate) : Number.NaN;
    if (Number.isNaN(server))
      return check(id, title, 'ok', `${reached}; clock not compared (no Date header)`);
    // The Date header has a 1 s resolution and the request took some time: allow for both.
    const skew = a.localAt - server;
    const abs = Math.max(0, Math.abs(skew) - 1000 - (a.probe.latencyMs ?? 0));
    const said = `this clock is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} the API`;
    if (abs >= SKEW_FAIL_MS)
      return check(id, title, 'fail', `${reached}; ${said}`, {
        details: ['TLS certificates and token expiry are checked against this clock'],
        fix: clockFix(f.platform),
      });
    if (abs >= SKEW_WARN_MS)
      return check(id, title, 'warn', `${reached}; ${said}`, { fix: clockFix(f.platform) });
    return check(
      id,
      title,
      'ok',
      `${reached}; clock within ${Math.max(1, Math.round(Math.abs(skew) / 1000))} s`,
    );
  });
}

export function secretsCheck(f: DiagnosticFacts): DiagnosticCheck {
  if (f.platform === 'win32')
    return check(
      'secrets',
      'Secret files',
      'info',
      'file modes do not apply on Windows (the profile folder’s ACL protects them)',
    );
  const wrong: Array<{ path: string; kind: 'file' | 'dir'; mode: number }> = [];
  let present = 0;
  for (const file of f.secretFiles) {
    if (file.mode === null) continue;
    present++;
    const want = file.kind === 'dir' ? 0o700 : 0o600;
    // Group or others may do anything at all: too open (stricter than wanted is fine).
    if ((file.mode & 0o077) !== 0)
      wrong.push({ path: file.path, kind: file.kind, mode: file.mode });
    else if ((file.mode & want) !== want && file.kind === 'dir')
      wrong.push({ path: file.path, kind: file.kind, mode: file.mode });
  }
  const octal = (m: number) => `0${(m & 0o777).toString(8)}`;
  if (present === 0)
    return check(
      'secrets',
      'Secret files',
      'info',
      'no state yet (`pipedai-orchestrator connect` creates it)',
    );
  if (wrong.length === 0)
    return check(
      'secrets',
      'Secret files',
      'ok',
      `${present} file(s) and folder(s) private to this user`,
    );
  const files = wrong.filter((w) => w.kind === 'file').map((w) => w.path);
  const dirs = wrong.filter((w) => w.kind === 'dir').map((w) => w.path);
  const q = (p: string) => `'${p.replace(/'/g, `'\\''`)}'`;
  const fix = [
    files.length ? `chmod 600 ${files.map(q).join(' ')}` : '',
    dirs.length ? `chmod 700 ${dirs.map(q).join(' ')}` : '',
  ]
    .filter(Boolean)
    .join(' && ');
  return check('secrets', 'Secret files', 'fail', `${wrong.length} readable by others`, {
    details: wrong.map(
      (w) => `${w.path} is ${octal(w.mode)} (want ${w.kind === 'dir' ? '0700' : '0600'})`,
    ),
    fix,
  });
}

export function diskCheck(f: DiagnosticFacts, home: string): DiagnosticCheck {
  const u = f.disk.usage;
  const used = u
    ? `logs ${bytes(u.logsBytes)}, worker output ${bytes(u.captureBytes)}, runs ${bytes(u.runsBytes)}, connectivity ${bytes(u.connectivityBytes)}`
    : 'use not measured';
  const free = f.disk.freeBytes;
  if (free === null) return check('disk', 'Disk', 'info', `${used}; free space unknown`);
  const summary = `${used}; ${bytes(free)} free under ${home}`;
  if (free < LOW_DISK_BYTES)
    return check('disk', 'Disk', 'warn', summary, {
      details: [
        'runs/ is pruned hourly by age and size (PIPEDAI_RUNS_MAX_DAYS, PIPEDAI_RUNS_MAX_MB)',
      ],
      fix: `free some space on that disk, or keep fewer runs (PIPEDAI_RUNS_MAX_MB=128 for the daemon)`,
    });
  return check('disk', 'Disk', 'ok', summary);
}

/** Every check, in the order a person reads them: the process, then outward. */
export function diagnose(f: DiagnosticFacts, home: string): DiagnosticCheck[] {
  return [
    runtimeCheck(f),
    daemonCheck(f),
    serviceCheck(f),
    workerRuntimeCheck(f),
    ...workerChecks(f),
    workerEnvCheck(f),
    ...apiChecks(f),
    secretsCheck(f),
    diskCheck(f, home),
  ];
}
