// Desktop installers: deb and AppImage (Linux), dmg (macOS, a menu-bar agent), NSIS (Windows).
// `npm run dist` builds them where Electron's download host is reachable;
// `npm run package:check` packs the Linux app against a stub Electron and lists what ships.
// JavaScript, not YAML, for one computed list: what npm alone needs (see npmOnlyModules).
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
// Who signs, and how, comes from the build's environment (scripts/signing.cjs; README "Desktop").
const signing = require('./scripts/signing.cjs').signingConfig(process.env);

const pkg = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** Every package `names` need, found the way Node finds them (nested first, then top level). */
function closure(names, from) {
  const seen = new Set();
  const walk = (name, base) => {
    const nested = join(base, 'node_modules', name);
    const dir = existsSync(nested) ? nested : join(__dirname, 'node_modules', name);
    if (seen.has(dir) || !existsSync(dir)) return;
    seen.add(dir);
    const meta = pkg(dir);
    for (const dep of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies }))
      walk(dep, dir);
  };
  for (const name of names) walk(name, from);
  return new Set([...seen].map((d) => d.slice(d.lastIndexOf('node_modules/') + 13)));
}

/**
 * npm ships beside the archive, whole (extraResources), so the packages electron-builder would
 * copy into app.asar for it alone (its bundled dependencies, flattened) are left out. Whatever
 * another runtime dependency also needs stays.
 */
function npmOnlyModules() {
  const root = pkg(__dirname);
  const others = Object.keys(root.dependencies).filter((d) => d !== 'npm');
  const keep = closure(others, __dirname);
  const npmDir = join(__dirname, 'node_modules', 'npm');
  const forNpm = closure(Object.keys(pkg(npmDir).dependencies ?? {}), npmDir);
  return [...forNpm].filter((m) => !keep.has(m)).sort();
}

module.exports = {
  appId: 'app.pipedai.orchestrator',
  productName: 'PipedAI Orchestrator',
  copyright: 'Copyright © PipedAI',
  directories: { output: 'release', buildResources: 'build' },
  // What ships in app.asar: the built app, the CLI bundle, the unit templates and the tray icons.
  // Production dependencies (package.json `dependencies`) are added by electron-builder.
  files: [
    'package.json',
    'out/**/*',
    '!out/**/*.map',
    'dist/cli.js',
    // The CLI's command chunks (esbuild code splitting): cli.js imports them when a command runs.
    'dist/chunks/*.js',
    'templates/**/*',
    'build/tray/**/*',
    'build/icon.png',
    // Dependencies ship their runtime only: no sources, tests, maps or docs.
    '!**/node_modules/**/{src,test,tests,__tests__}/**',
    '!**/node_modules/**/*.{ts,mts,cts,map,md}',
    '!**/node_modules/npm{,/**}',
    ...npmOnlyModules().map((m) => `!**/node_modules/${m}{,/**}`),
  ],
  // The bundled CLI runs on the app's binary as Node from its launcher (build/bin): a script Node
  // loads by path, with what it reads at run time (the unit templates, the dashboard the headless
  // daemon serves), so on disk beside the archive (resources/app.asar.unpacked).
  asarUnpack: ['dist/cli.js', 'dist/chunks/**', 'templates/**', 'out/renderer/**'],
  // npm installs the worker runtime. It runs as a script of its own (on the app's binary as
  // Node), with a real cwd and lifecycle scripts, so it lives on disk, not in the read-only
  // archive; a verbatim copy keeps its bundled dependencies inside it, where it finds them.
  extraResources: [
    { from: 'node_modules/npm', to: 'npm', filter: ['**/*', '!docs/**', '!man/**'] },
    // electron-builder never copies a folder named node_modules inside a FileSet: its own entry.
    { from: 'node_modules/npm/node_modules', to: 'npm/node_modules', filter: ['**/*'] },
  ],
  // Desktop updates (electron-updater, app/main/shell/updater.ts): the feed the app checks, written
  // into it as resources/app-update.yml. GitHub releases by default; for a generic feed (a static
  // folder served over HTTPS, the installers beside their latest*.yml):
  //   npm run dist -- -c.publish.provider=generic -c.publish.url=https://updates.example.com/pipedai/
  // At run time PIPEDAI_UPDATE_URL=<feed URL> takes the place of the built-in feed.
  publish: {
    provider: 'github',
    owner: 'pipedai',
    repo: 'pipedai-orchestrator',
    releaseType: 'release',
  },
  // No native modules: nothing to rebuild against Electron's ABI.
  npmRebuild: false,
  // Electron's fuses, flipped in the binary when it is packaged
  // (https://www.electronjs.org/docs/latest/tutorial/fuses).
  electronFuses: {
    // ON, on purpose: the managed worker runtime runs workers (and npm) on this binary as Node
    // (ELECTRON_RUN_AS_NODE; utilityProcess dies with the app, and workers must outlive it), and
    // the bundled CLI runs the same way. README "Security" says what that means.
    runAsNode: true,
    // Everything else a packaged app does not need is off, or locked down:
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
    loadBrowserProcessSpecificV8Snapshot: false,
  },
  linux: {
    // deb first: the primary artifact. The AppImage's Chromium sandbox aborts at launch where
    // AppArmor restricts unprivileged user namespaces (Ubuntu 24.04+): README "Desktop".
    target: ['deb', 'AppImage'],
    // The CLI launcher, resources/bin/pipedai-orchestrator (copied with its run bits).
    extraResources: [{ from: 'build/bin/linux', to: 'bin' }],
    category: 'Utility',
    icon: 'build/icons',
    executableName: 'pipedai-orchestrator',
    maintainer: 'PipedAI <support@pipedai.app>',
    synopsis: 'Supervises the PipedAI workers on this computer',
  },
  // /usr/bin/pipedai-orchestrator is the CLI launcher (which starts the app when given no
  // command), not the GUI binary: electron-builder's own scripts, with that one link changed.
  deb: {
    packageName: 'pipedai-orchestrator',
    afterInstall: 'build/linux/after-install.sh',
    afterRemove: 'build/linux/after-remove.sh',
  },
  mac: {
    target: 'dmg',
    category: 'public.app-category.developer-tools',
    icon: 'build/icon.png',
    // A menu-bar agent: no Dock icon until a window is shown (the app shows it then).
    extendInfo: { LSUIElement: true },
    // The CLI launcher, Contents/Resources/bin/pipedai-orchestrator ("Install command line tool"
    // links it into /usr/local/bin).
    extraResources: [{ from: 'build/bin/mac', to: 'bin' }],
    // Developer ID + hardened runtime + notarization, or ad-hoc (scripts/signing.cjs).
    ...signing.mac,
  },
  win: {
    target: 'nsis',
    icon: 'build/icon.png',
    // The CLI launcher, resources\bin\pipedai-orchestrator.cmd.
    extraResources: [{ from: 'build/bin/win', to: 'bin' }],
    ...signing.win,
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    // A page with "Add pipedai-orchestrator to PATH" (checked by default): the user's PATH.
    include: 'build/nsis/cli-path.nsh',
  },
};
