// `npm run demo`: the whole server path on this machine, against the sandbox API instead of
// pipedai-api and the sandbox npm registry instead of registry.npmjs.org. Enrolls a throwaway
// PIPEDAI_HOME with `connect` (which installs the managed worker runtime, @pipedai/worker, from
// the sandbox registry), runs the headless daemon (`start`), builds a second worker through the
// daemon, queues a demo run now and then, and prints the dashboard URL. Ctrl-C drains the
// daemon, stops the sandbox and the registry, and removes the temp folder.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const SANDBOX = join(ROOT, 'dist/sandbox.js');
const DASHBOARD = join(ROOT, 'out/renderer/index.html');
const RUN_EVERY_MS = 20_000;
const RUN_DURATION_MS = 6_000;
const DRAIN_WAIT_MS = 60_000;
const isWindows = process.platform === 'win32';

const say = (line = '') => process.stdout.write(`${line}\n`);
const indent = (text, prefix = '    ') =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => `${prefix}${l}`)
    .join('\n');

// `npm run demo` brings Node, node_modules and the build first (scripts/bootstrap.mjs); these
// checks are for `node scripts/demo.mjs` run by hand.
if (!process.features.typescript) {
  say('✗ the worker simulator needs Node 22.18+ (TypeScript type stripping).');
  say('  Run `npm run demo`: it brings one.');
  process.exit(1);
}

if (![CLI, SANDBOX, DASHBOARD].every((f) => existsSync(f))) {
  say('• building (dist/cli.js, dist/sandbox.js or the dashboard is missing): npm run build');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: isWindows });
  if (r.status !== 0) {
    say(`✗ npm run build failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'pipedai-demo-'));
const home = join(tmp, 'home');
/** Long-running children: the sandbox API, the sandbox npm registry and the daemon. */
const children = { sandbox: null, registry: null, daemon: null };
let runTimer = null;
let stopping = null;

function childEnv(apiUrl, registryUrl) {
  const env = {
    ...process.env,
    PIPEDAI_HOME: home,
    // The worker runtime (the simulator, published as @pipedai/worker 1.4.2, 1.5.0 and a broken
    // 1.5.1) comes from the sandbox registry; nothing is fetched from the internet.
    npm_config_registry: registryUrl,
    npm_config_cache: join(tmp, 'npm-cache'),
    npm_config_userconfig: join(tmp, 'no-npmrc'),
    NO_PROXY: '127.0.0.1,localhost',
    PIPEDAI_SIM_HEARTBEAT_MS: '1000',
    PIPEDAI_SIM_POLL_MS: '500',
    PIPEDAI_TIMINGS: JSON.stringify({ refreshMs: 2000 }),
    // Probe the sandbox, not the internet: the demo makes no outside connection.
    PIPEDAI_INTERNET_PROBE_URL: `${apiUrl}/api/v1/health`,
  };
  delete env.PIPEDAI_WORKER_BIN;
  delete env.PIPEDAI_NPM;
  return env;
}

/** Start a long-running child; resolves with the URL of its `listening on http://…` line. */
function startListening(name, args, env) {
  if (stopping) return Promise.reject(new Error('stopping'));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal Ctrl-C reaches only this script, which stops the
    // children in order (the daemon drains before the API it reports to goes away).
    detached: !isWindows,
  });
  children[name] = child;
  let out = '';
  child.stderr
    .setEncoding('utf8')
    .on('data', (d) => process.stderr.write(indent(d, `  ${name}: `) + '\n'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children[name] = null;
      reject(new Error(`${name} exited (${code ?? signal}) before listening`));
      if (!stopping) {
        say(`✗ the ${name} exited (${code ?? signal}); stopping the demo`);
        void shutdown(1);
      }
    });
  });
}

function cli(args, env) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  if (r.status !== 0)
    throw new Error(
      `pipedai-orchestrator ${args[0]} failed (exit ${r.status ?? r.signal}):\n${r.stderr}`,
    );
  return r.stdout;
}

async function http(url, { method = 'GET', token, body } = {}) {
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`${method} ${new URL(url).pathname} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Stop a child: `signal`, then SIGKILL after `ms`. Resolves once it has exited. */
function stopChild(child, signal, ms) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(signal);
  });
}

function shutdown(code) {
  stopping ??= (async () => {
    clearTimeout(runTimer);
    say('');
    say('• stopping: the daemon drains its workers, then the sandbox stops…');
    await stopChild(children.daemon, 'SIGTERM', DRAIN_WAIT_MS);
    await stopChild(children.sandbox, 'SIGTERM', 10_000);
    await stopChild(children.registry, 'SIGTERM', 10_000);
    rmSync(tmp, { recursive: true, force: true });
    say('• stopped; temp files removed');
    process.exit(code);
  })();
  return stopping;
}

// One Ctrl-C arrives more than once: from the terminal, and forwarded by npm and the bootstrap.
let firstSignalAt = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (!stopping) {
      firstSignalAt = Date.now();
      void shutdown(0);
    } else if (Date.now() - firstSignalAt > 1_000)
      say('  (already stopping: waiting for the in-flight runs to finish)');
  });
}

async function queueRuns(apiUrl, daemonUrl, token, round) {
  try {
    const { items } = await http(`${daemonUrl}/api/workers`, { token });
    for (const w of items) {
      if (w.local?.state !== 'running' || w.busy) continue;
      await http(`${apiUrl}/sandbox/runs`, {
        method: 'POST',
        body: {
          workerId: w.id,
          durationMs: RUN_DURATION_MS,
          events: 10,
          prompt: `demo run ${round} for ${w.label}`,
        },
      });
    }
  } catch (e) {
    if (!stopping) say(`  (could not queue a demo run: ${e.message})`);
  }
  if (!stopping)
    runTimer = setTimeout(() => queueRuns(apiUrl, daemonUrl, token, round + 1), RUN_EVERY_MS);
}

async function main() {
  say('PipedAI orchestrator demo: a sandbox API stands in for pipedai-api; Ctrl-C stops it all.');
  const apiUrl = await startListening(
    'sandbox',
    [SANDBOX, 'api', '--port', '0', '--state', join(tmp, 'sandbox'), '--device-interval', '1'],
    { ...process.env },
  );
  say(`• sandbox API on ${apiUrl}`);
  const registryUrl = await startListening(
    'registry',
    [SANDBOX, 'registry', '--port', '0', '--state', join(tmp, 'registry')],
    { ...process.env },
  );
  say(`• sandbox npm registry on ${registryUrl} (@pipedai/worker 1.4.2, 1.5.0, 1.5.1)`);
  const env = childEnv(apiUrl, registryUrl);
  // The API announces 1.5.0, so the dashboard offers the upgrade from the installed 1.4.2.
  await http(`${apiUrl}/sandbox/releases`, { method: 'POST', body: { worker: '1.5.0' } });

  const { code } = await http(`${apiUrl}/sandbox/enrollment-codes`, { method: 'POST', body: {} });
  say(`• enrolling this host: pipedai-orchestrator connect --token enr_… --api-url ${apiUrl}`);
  const connectOut = cli(
    ['connect', '--token', code, '--api-url', apiUrl, '--no-install', '--no-open'],
    env,
  );
  // Its footer is about running `start` yourself, and the simulator needs no model login.
  const enrolled = connectOut.split('\nNext steps')[0].split('\n');
  say(indent(enrolled.filter((l) => !l.includes('claude login')).join('\n')));

  say('• starting the daemon: pipedai-orchestrator start --port 0');
  const daemonUrl = await startListening('daemon', [CLI, 'start', '--port', '0'], env);
  const port = new URL(daemonUrl).port;
  const dashboardUrl = cli(['dashboard', '--port', port], env).trim();
  const token = new URL(dashboardUrl).searchParams.get('token');

  say("• building a second worker through the daemon: POST /api/workers {label: 'second'}");
  await http(`${daemonUrl}/api/workers`, {
    method: 'POST',
    token,
    body: { apiUrl, label: 'second' },
  });
  say(`• queueing a demo run on each idle worker every ${RUN_EVERY_MS / 1000} s`);
  runTimer = setTimeout(() => queueRuns(apiUrl, daemonUrl, token, 1), 3_000);

  say('');
  say(`Dashboard: ${dashboardUrl}`);
  say('');
  say('The CLI against this daemon, in another terminal:');
  say(`  export PIPEDAI_HOME=${home}`);
  say('  node dist/cli.js workers          # or: logs second -f, workers stop second, dashboard');
  say('');
  say('Upgrade a worker from the dashboard: 1.5.0 installs beside 1.4.2 and the worker switches');
  say('after its run. To see a rollback, announce the broken 1.5.1 and upgrade to it:');
  say(
    `  curl -X POST -H 'content-type: application/json' -d '{"worker":"1.5.1"}' ${apiUrl}/sandbox/releases`,
  );
}

main().catch((e) => {
  if (stopping) return;
  say(`✗ demo failed: ${e instanceof Error ? e.message : String(e)}`);
  void shutdown(1);
});
