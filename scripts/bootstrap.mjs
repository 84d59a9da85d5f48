// @ts-check
// `npm run demo` and `npm test` start here, on whatever Node runs npm (Node 20 is fine): bring what
// the command needs on first use, then run it.
//
//   node scripts/bootstrap.mjs [--browser] [--] <command> [args…]
//   node scripts/bootstrap.mjs --print-node-dir      (for scripts/use-node22.sh)
//
// 1. a Node >= 22.18: the running one, else the registry's `node` package in .tools/node22;
// 2. `npm ci` when node_modules is missing or does not match package-lock.json;
// 3. `npm run build` when an output is missing or older than the sources;
// 4. with --browser, a Chromium: the system's, else Debian's through apt when root, else
//    Playwright's own download, else the browser suite skips and says how to install one;
// then <command> runs with that Node first on PATH, and its exit code is ours.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MIN_NODE,
  NODE_PACKAGE,
  NO_CHROMIUM,
  TOOLS_NODE_DIR,
  buildDrift,
  findChromium,
  installDrift,
  nodeBinaryIn,
  nodeSatisfies,
  envWithPathFirst,
} from './toolchain.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const isWindows = process.platform === 'win32';
const say = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);

class SetupError extends Error {}

/**
 * Run a setup step to completion with its output on our stderr (stdout stays the command's).
 * @param {string} what
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {number} [timeoutMs]
 */
function step(what, command, args, env, timeoutMs = 15 * 60_000) {
  const r = spawnSync(command, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 2, 2],
    timeout: timeoutMs,
    // npm is a .cmd shim on Windows
    shell: isWindows && !command.endsWith('.exe'),
  });
  if (r.error) return `${what}: ${r.error.message}`;
  if (r.status !== 0) return `${what} exited with ${r.status ?? r.signal}`;
  return null;
}

/**
 * npm as a command line: the npm running this script when there is one (npm_execpath), under
 * `node`; else `npm` from PATH.
 * @param {string} node
 * @returns {[string, string[]]}
 */
function npm(node) {
  const cli = process.env.npm_execpath;
  if (cli && /npm/i.test(basename(cli)) && existsSync(cli)) return [node, [cli]];
  return ['npm', []];
}

/** A Node that runs the sources: this one, else .tools/node22 (installed on first use). */
function ensureNode() {
  if (nodeSatisfies(process.version)) return process.execPath;
  const dir = join(ROOT, TOOLS_NODE_DIR);
  const binary = nodeBinaryIn(dir, process.platform);
  const works = () => {
    if (!existsSync(binary)) return false;
    const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    return r.status === 0 && nodeSatisfies(r.stdout);
  };
  if (works()) return binary;
  say(
    `• Node ${process.version} is older than ${MIN_NODE}: installing ${NODE_PACKAGE} from the npm registry into ${TOOLS_NODE_DIR}/`,
  );
  const [cmd, pre] = npm(process.execPath);
  const failed = step(
    `npm install ${NODE_PACKAGE}`,
    cmd,
    [
      ...pre,
      'install',
      '--prefix',
      dir,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      NODE_PACKAGE,
    ],
    process.env,
  );
  if (failed || !works())
    throw new SetupError(
      `${failed ?? `${binary} does not run`}; install Node ${MIN_NODE} or newer yourself and run the command again`,
    );
  return binary;
}

/** @param {string} node @param {NodeJS.ProcessEnv} env */
function ensureInstall(node, env) {
  const drift = installDrift(ROOT);
  if (!drift) return;
  say(`• npm ci (${drift})`);
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD === undefined) {
    // The demo and the suites never start Electron; a desktop checkout that wants `npm start`
    // runs plain `npm ci`, which downloads it.
    say('  (without the Electron binary: ELECTRON_SKIP_BINARY_DOWNLOAD=1)');
    env = { ...env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  }
  const [cmd, pre] = npm(node);
  const failed = step('npm ci', cmd, [...pre, 'ci', '--no-audit', '--no-fund'], env);
  if (failed) throw new SetupError(failed);
}

/** @param {string} node @param {NodeJS.ProcessEnv} env */
function ensureBuild(node, env) {
  const drift = buildDrift(ROOT);
  if (!drift) return;
  say(`• npm run build (${drift})`);
  const [cmd, pre] = npm(node);
  const failed = step('npm run build', cmd, [...pre, 'run', 'build'], env);
  if (failed) throw new SetupError(failed);
}

/** @param {string} node @param {NodeJS.ProcessEnv} env */
function ensureChromium(node, env) {
  if (findChromium(ROOT, env).path) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (process.platform === 'linux' && isRoot && existsSync('/usr/bin/apt-get')) {
    say('• no Chromium: installing Debian’s (apt-get install chromium)');
    const apt = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    const failed =
      step('apt-get update', 'apt-get', ['update', '-qq'], apt) ??
      step('apt-get install chromium', 'apt-get', ['install', '-y', '-qq', 'chromium'], apt);
    if (failed) say(`  ${failed}`);
    if (findChromium(ROOT, env).path) return;
  }
  say('• no Chromium: installing Playwright’s own (npx playwright install chromium)');
  const cli = join(ROOT, 'node_modules', 'playwright', 'cli.js');
  const failed = step('playwright install chromium', node, [cli, 'install', 'chromium'], env);
  if (failed) say(`  ${failed}`);
  if (!findChromium(ROOT, env).path) say(`! ${NO_CHROMIUM}: the browser suite will be skipped`);
}

/**
 * Run the command to its end with our stdio; signals sent to us reach it (npm forwards them the
 * same way), and its exit is ours.
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<number>}
 */
function run(argv, env) {
  const [command, ...args] = argv;
  if (!command) return Promise.resolve(0);
  const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit', shell: isWindows });
  /** @type {NodeJS.Signals[]} */
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (/** @type {NodeJS.Signals} */ s) => void child.kill(s);
  for (const s of signals) process.on(s, forward);
  return new Promise((resolve) => {
    child.once('error', (e) => {
      say(`✗ ${command}: ${e.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1));
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  const printNodeDir = args[0] === '--print-node-dir';
  const browser = args[0] === '--browser';
  const command = args.slice(printNodeDir || browser ? 1 : 0);
  if (command[0] === '--') command.shift();

  const node = ensureNode();
  if (printNodeDir) {
    process.stdout.write(`${dirname(node)}\n`);
    return 0;
  }
  // Everything from here runs on that Node: npm's lifecycle scripts, the build, the command and
  // the children it starts (the worker simulator's `#!/usr/bin/env node`).
  const env = envWithPathFirst(process.env, dirname(node));
  ensureInstall(node, env);
  ensureBuild(node, env);
  if (browser) ensureChromium(node, env);
  return run(command, env);
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    say(`✗ ${e instanceof SetupError ? e.message : (e?.stack ?? String(e))}`);
    process.exitCode = 1;
  },
);
