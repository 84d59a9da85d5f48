// Packs the Linux app with electron-builder against a stub Electron (no download needed) and
// checks what app.asar ships: the built app, the CLI bundle, the templates, the tray icons and
// the production dependencies — never sources, tests, the sandbox or dev tooling. The stub carries
// Electron's fuse wire (sentinel and default states), so the fuses electron-builder flips from
// electron-builder.config.cjs are read back from the packaged binary. It also checks what the
// packaged app says it is (productName, the Windows AppUserModelID), that the macOS and Windows
// signing hooks are wired (scripts/signing.cjs), and that the main bundle hooks no process
// signal but the app's own (electron-store's when-exit is compiled out). The stub also stands in
// for Electron as Node, so the bundled CLI runs through its launcher (package-check-cli.mjs).
// Needs `npm run build` first. Usage: node scripts/package-check.mjs [--keep]
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBundledCli, stubElectronScript } from './package-check-cli.mjs';

const require = createRequire(import.meta.url);
const { extractFile, listPackage } = require('@electron/asar');
const { getCurrentFuseWire } = require('@electron/fuses');
const config = require('../electron-builder.config.cjs');
const signing = require('./signing.cjs');

/** Every signal when-exit hooks on Linux: the main bundle may listen to the app's three only. */
const HOOKABLE_SIGNALS = [
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGALRM',
  'SIGABRT',
  'SIGVTALRM',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGUSR2',
  'SIGTRAP',
  'SIGSYS',
  'SIGQUIT',
  'SIGIOT',
  'SIGIO',
  'SIGPOLL',
  'SIGPWR',
  'SIGSTKFLT',
];
const APP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'];

// @electron/fuses' V1 wire: a sentinel, version 1, the fuse count, then one byte per fuse ('0' off,
// '1' on), in this order. Electron 45's defaults, then what the packaged app must carry.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSES = [
  // [name, Electron's default, packaged]: runAsNode stays on for the worker runtime (README).
  ['runAsNode', '1', '1'],
  ['enableCookieEncryption', '0', '1'],
  ['enableNodeOptionsEnvironmentVariable', '1', '0'],
  ['enableNodeCliInspectArguments', '1', '0'],
  ['enableEmbeddedAsarIntegrityValidation', '0', '1'],
  ['onlyLoadAppFromAsar', '0', '1'],
  ['loadBrowserProcessSpecificV8Snapshot', '0', '0'],
  ['grantFileProtocolExtraPrivileges', '1', '0'],
];

for (const built of [
  'out/main/index.cjs',
  'out/preload/index.cjs',
  'out/renderer/index.html',
  'dist/cli.js',
]) {
  if (!existsSync(built)) {
    process.stderr.write(`package check: ${built} is missing; run \`npm run build\` first\n`);
    process.exit(1);
  }
}

// The CommonJS bundles must load as Electron would load them: every require resolvable (the
// ESM-only dependencies bundled in), with `electron` itself stubbed.
const loadCheck = spawnSync(
  process.execPath,
  [
    '-e',
    `
const Module = require('node:module');
const seen = { appEvents: [], schemes: [], exposed: [] };
const app = {
  setPath() {}, getPath: () => require('node:os').tmpdir(), getVersion: () => '0.0.0', getName: () => 'x',
  requestSingleInstanceLock: () => true, on: (e) => seen.appEvents.push(e), quit() {},
  whenReady: () => new Promise(() => {}), getLoginItemSettings: () => ({ wasOpenedAtLogin: false }),
};
const stub = {
  app, ipcMain: { on() {}, handle() {} }, shell: {},
  protocol: { registerSchemesAsPrivileged: (s) => seen.schemes.push(...s.map((x) => x.scheme)) },
  contextBridge: { exposeInMainWorld: (k, v) => seen.exposed.push([k, Object.keys(v).sort()]) },
  ipcRenderer: { invoke: async () => ({ ok: true, value: 'open' }), on() {}, removeListener() {} },
};
stub.default = stub;
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'electron' ? stub : load.call(this, request, ...rest);
};
require('./out/main/index.cjs');
seen.signals = Object.fromEntries(${JSON.stringify(HOOKABLE_SIGNALS)}.map((s) => [s, process.listenerCount(s)]));
require('./out/preload/index.cjs');
process.stdout.write(JSON.stringify(seen));
`,
  ],
  {
    encoding: 'utf8',
    env: { ...process.env, PIPEDAI_HOME: join(tmpdir(), 'pipedai-package-check-home') },
  },
);
const problems = [];
if (loadCheck.status !== 0) {
  problems.push(
    `the main or preload bundle does not load: ${loadCheck.stderr.trim().split('\n').slice(0, 5).join(' | ')}`,
  );
} else {
  const seen = JSON.parse(loadCheck.stdout);
  if (!seen.appEvents.includes('second-instance'))
    problems.push('main did not set up the single-instance handler');
  if (!seen.schemes.includes('app')) problems.push('main did not register the app:// scheme');
  if (
    JSON.stringify(seen.exposed) !==
    JSON.stringify([['pipedai', ['invoke', 'onConnection', 'subscribe']]])
  )
    problems.push(
      `preload exposed ${JSON.stringify(seen.exposed)}, expected only pipedai's Bridge`,
    );
  for (const [signal, listeners] of Object.entries(seen.signals)) {
    const expected = APP_SIGNALS.includes(signal) ? 1 : 0;
    if (listeners !== expected)
      problems.push(
        `main listens to ${signal} ${listeners} time(s), expected ${expected}: only the app's own quit handlers (is when-exit bundled?)`,
      );
  }
  process.stdout.write(
    'bundles load as CommonJS (main, preload); main hooks SIGTERM, SIGINT, SIGHUP only\n',
  );
}

// What the app is called and how Windows knows it: productName (app.name, the userData folder,
// the macOS menu) and the AppUserModelID the shell sets, which must be the installer's appId.
if (!readFileSync('out/main/index.cjs', 'utf8').includes(`"${config.appId}"`))
  problems.push(`the main bundle does not carry appId ${config.appId} (app.setAppUserModelId)`);

// Signing: wired from the environment (scripts/signing.cjs). This build has no identity: ad-hoc
// on macOS; with one, the hardened runtime, entitlements and notarization; a Windows sign hook.
if (config.linux.target[0] !== 'deb')
  problems.push(`linux.target starts with ${config.linux.target[0]}, not deb`);
if (!(config.mac.identity === '-' || config.mac.hardenedRuntime === true))
  problems.push(
    'mac is neither ad-hoc signed nor on the hardened runtime (signingConfig not spread?)',
  );
const signed = signing.signingConfig({
  CSC_LINK: 'file:///developer-id.p12',
  APPLE_API_KEY: '/key.p8',
  APPLE_API_KEY_ID: 'K',
  APPLE_API_ISSUER: 'I',
  PIPEDAI_WIN_SIGN_COMMAND: 'sign {file}',
});
if (!(signed.mac.hardenedRuntime && signed.mac.notarize))
  problems.push('a Developer ID with Apple credentials does not give hardened runtime + notarize');
if (!/com\.apple\.security\.cs\.allow-jit/.test(readFileSync(signed.mac.entitlements, 'utf8')))
  problems.push(`${signed.mac.entitlements} lacks allow-jit`);
if (typeof require(signed.win.signtoolOptions.sign) !== 'function')
  problems.push(`the Windows sign hook ${signed.win.signtoolOptions.sign} exports no function`);
process.stdout.write(
  `signing: mac ${config.mac.identity === '-' ? 'ad-hoc (no Developer ID in this environment)' : 'Developer ID'}; hooks wired (hardened runtime, ${signed.mac.entitlements}, notarize, ${signed.win.signtoolOptions.sign})\n`,
);

const work = mkdtempSync(join(tmpdir(), 'pipedai-package-check-'));
const stub = join(work, 'electron-stub');
const output = join(work, 'release');
// electron-builder copies this folder as the app's runtime and renames `electron`.
spawnSync('mkdir', ['-p', stub]);
writeFileSync(
  join(stub, 'electron'),
  Buffer.concat([
    Buffer.from(stubElectronScript(realpathSync(process.execPath))),
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, FUSES.length]),
    Buffer.from(FUSES.map(([, stock]) => stock).join('')),
    Buffer.from('\n'),
  ]),
);
chmodSync(join(stub, 'electron'), 0o755);
const { version: electronVersion } = JSON.parse(
  readFileSync('node_modules/electron/package.json', 'utf8'),
);

const build = spawnSync(
  'npx',
  [
    'electron-builder',
    '--config',
    'electron-builder.config.cjs',
    '--linux',
    'dir',
    // A check, never a release (electron-builder publishes implicitly under CI otherwise).
    '--publish',
    'never',
    `-c.electronDist=${stub}`,
    `-c.electronVersion=${electronVersion}`,
    `-c.directories.output=${output}`,
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
const asar = join(output, 'linux-unpacked', 'resources', 'app.asar');
const updateConfig = join(output, 'linux-unpacked', 'resources', 'app-update.yml');
if (build.status !== 0) problems.push(`electron-builder exited with ${build.status}`);
// electron-updater reads its feed from here (electron-builder.config.cjs `publish`).
else if (!existsSync(updateConfig) || !/^provider: \S+/m.test(readFileSync(updateConfig, 'utf8')))
  problems.push('resources/app-update.yml (the update feed, from `publish`) is missing');
else if (!existsSync(join(output, 'linux-unpacked', 'pipedai-orchestrator')))
  problems.push('the app executable (linux.executableName) is missing');
else {
  const wire = await getCurrentFuseWire(join(output, 'linux-unpacked', 'pipedai-orchestrator'));
  const flipped = FUSES.map(([name, , packaged], i) => {
    const now = String.fromCharCode(wire[i]);
    if (now !== packaged) problems.push(`fuse ${name} is ${now}, expected ${packaged}`);
    return `${name}=${now}`;
  });
  process.stdout.write(`fuses of the packaged binary: ${flipped.join(' ')}\n`);
}

if (existsSync(asar)) {
  const files = listPackage(asar, {}).map((f) => f.replace(/\\/g, '/'));
  const has = (p) => files.includes(p);
  const required = [
    '/package.json',
    '/out/main/index.cjs',
    '/out/preload/index.cjs',
    '/out/renderer/index.html',
    '/dist/cli.js',
    ...readdirSync('dist/chunks')
      .filter((f) => f.endsWith('.js'))
      .map((f) => `/dist/chunks/${f}`),
    '/templates/autostart.desktop',
    '/templates/systemd.service',
    '/templates/launchd.plist',
    '/build/icon.png',
    '/build/tray/tray-running-dark@2x.png',
    '/build/tray/tray-crashloopTemplate.png',
    '/build/tray/tray-running-light.ico',
    // Runtime dependencies main requires (externalized) and the CLI needs.
    '/node_modules/zod/package.json',
    '/node_modules/ws/package.json',
    '/node_modules/tree-kill/package.json',
    '/node_modules/commander/package.json',
    '/node_modules/got/package.json',
  ];
  for (const p of required) if (!has(p)) problems.push(`missing from app.asar: ${p}`);
  const packagedMeta = JSON.parse(extractFile(asar, 'package.json').toString('utf8'));
  if (packagedMeta.productName !== config.productName)
    problems.push(
      `the packaged package.json has productName ${JSON.stringify(packagedMeta.productName)}, expected ${JSON.stringify(config.productName)}`,
    );
  else process.stdout.write(`packaged productName: ${packagedMeta.productName}\n`);
  const forbidden = [
    [/^\/(app|cli|sandbox|test|e2e|bench|scripts|src)\//, 'sources, tests or tooling'],
    [/\.test\.[cm]?[jt]s$/, 'a test file'],
    [/^\/[^/]+\.ts$|^\/out\/.*\.ts$/, 'TypeScript source'],
    [/\.map$/, 'a source map'],
    [
      /^\/node_modules\/(electron|electron-builder|electron-vite|electron-store|vite|vitest|typescript|playwright|@playwright|react|react-dom|eslint)\//,
      'a dev dependency',
    ],
    [/^\/(\.pipedai|\.sandbox-state|release|test-results)\//, 'local state'],
  ];
  for (const f of files)
    for (const [re, what] of forbidden)
      if (re.test(f)) problems.push(`app.asar ships ${what}: ${f}`);
  // Trimming dependencies must never drop an entry point: check each package's main and exports.
  const entryPoints = (exp) =>
    typeof exp === 'string'
      ? [exp]
      : exp && typeof exp === 'object'
        ? Object.entries(exp)
            .filter(([k]) => k !== 'types' && !k.startsWith('@'))
            .flatMap(([, v]) => entryPoints(v))
        : [];
  for (const pj of files.filter((f) =>
    /^\/node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(f),
  )) {
    const dir = pj.slice(0, -'/package.json'.length);
    const meta = JSON.parse(extractFile(asar, pj.slice(1)).toString('utf8'));
    const exp =
      meta.exports && typeof meta.exports === 'object' && '.' in meta.exports
        ? meta.exports['.']
        : meta.exports;
    for (const entry of [meta.main, ...entryPoints(exp)].filter(
      (e) => typeof e === 'string' && e !== '' && !e.includes('*'),
    )) {
      const path = `${dir}/${entry.replace(/^\.\//, '')}`;
      if (!has(path) && !has(`${path}.js`) && !has(`${path}/index.js`))
        problems.push(`dependency entry point missing from app.asar: ${path}`);
    }
  }
  // npm must be on disk beside the archive (extraResources) and whole: it runs from there.
  const unpackedNpm = join(output, 'linux-unpacked', 'resources', 'npm');
  const npmCli = join(unpackedNpm, 'bin', 'npm-cli.js');
  if (!existsSync(npmCli)) problems.push(`npm does not ship beside app.asar: ${npmCli} is missing`);
  if (
    files.some(
      (f) => f.startsWith('/node_modules/npm/') || f === '/node_modules/cacache/package.json',
    )
  )
    problems.push('npm (or what only npm needs) is also inside app.asar');
  else {
    const v = spawnSync(process.execPath, [npmCli, '--version'], {
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    if (v.status !== 0)
      problems.push(`npm beside app.asar does not run: ${v.stderr.trim().slice(0, 200)}`);
    else
      process.stdout.write(
        `npm ${v.stdout.trim()} beside app.asar runs (the worker runtime installer)\n`,
      );
    if (existsSync(join(unpackedNpm, 'docs')) || existsSync(join(unpackedNpm, 'man')))
      problems.push("npm's docs or man pages ship (not needed to install)");
  }
  const top = [...new Set(files.map((f) => f.split('/')[1]))].sort();
  process.stdout.write(`\napp.asar: ${files.length} entries; top level: ${top.join(', ')}\n`);
  process.stdout.write(
    `node_modules: ${[...new Set(files.filter((f) => f.startsWith('/node_modules/')).map((f) => f.split('/')[2]))].join(', ')}\n`,
  );
} else if (build.status === 0) problems.push(`no app.asar at ${asar}`);

// The bundled CLI through its launcher, with the stub standing in for Electron as Node.
if (build.status === 0 && existsSync(asar)) {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
  process.stdout.write('\n');
  problems.push(
    ...(await checkBundledCli({
      unpacked: join(output, 'linux-unpacked'),
      work,
      version,
    })),
  );
}

if (process.argv.includes('--keep')) process.stdout.write(`kept: ${work}\n`);
else rmSync(work, { recursive: true, force: true });
if (problems.length > 0) {
  process.stderr.write(`\npackage check FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('package check passed\n');
