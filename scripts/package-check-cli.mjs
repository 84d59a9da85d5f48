// The bundled CLI of the packed Linux app, run as a user runs it: through its launcher
// (resources/bin/pipedai-orchestrator) on the app's binary as Node. The binary is the packaging
// check's stub Electron: under ELECTRON_RUN_AS_NODE it execs this Node by absolute path, otherwise
// it records how it was started (the GUI). No other Node is on PATH for any of it. The service
// installed from the launcher, under a real systemd, is test/services/launcher.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The stub's shell part: Node under ELECTRON_RUN_AS_NODE, else a record of the GUI start. */
export function stubElectronScript(node) {
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    '# Stands in for Electron (packaging check only): run as Node when ELECTRON_RUN_AS_NODE is set,',
    '# as the CLI launcher runs it; otherwise record how the app window would have been started.',
    `if [ -n "\${ELECTRON_RUN_AS_NODE+x}" ]; then exec ${q(node)} "$@"; fi`,
    `printf '%s\\n' "$0" "$@" >>"\${PIPEDAI_STUB_GUI_LOG:-/dev/null}"`,
    'exit 0',
    '# ',
  ].join('\n');
}

/** A PATH folder with only what the launcher needs: no node. */
function toolsDir(work) {
  const dir = join(work, 'tools-no-node');
  mkdirSync(dir, { recursive: true });
  for (const tool of ['readlink', 'dirname']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found && !existsSync(join(dir, tool))) symlinkSync(found, join(dir, tool));
  }
  return dir;
}

async function waitFor(what, deadlineMs, probe) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = await probe();
    if (r) return r;
    if (Date.now() > end)
      throw new Error(`timed out after ${deadlineMs / 1000}s waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * Checks the unpacked app at `unpacked` (linux-unpacked). Returns problems; prints what it saw.
 * `version` is package.json's.
 */
export async function checkBundledCli({ unpacked, work, version }) {
  const problems = [];
  const say = (line) => process.stdout.write(`${line}\n`);
  const launcher = join(unpacked, 'resources', 'bin', 'pipedai-orchestrator');
  const appBinary = realpathSync(join(unpacked, 'pipedai-orchestrator'));
  for (const f of ['dist/cli.js', 'templates/systemd.service', 'out/renderer/index.html'])
    if (!existsSync(join(unpacked, 'resources', 'app.asar.unpacked', f)))
      problems.push(`${f} is not unpacked beside app.asar (asarUnpack)`);
  if (!existsSync(launcher)) return [...problems, `the CLI launcher ${launcher} is missing`];
  if ((statSync(launcher).mode & 0o111) !== 0o111)
    problems.push(
      `the CLI launcher is not executable (mode ${(statSync(launcher).mode & 0o777).toString(8)})`,
    );

  const tools = toolsDir(work);
  const home = join(work, 'cli-home');
  mkdirSync(home, { recursive: true });
  const env = { PATH: tools, HOME: home, PIPEDAI_HOME: join(home, '.pipedai') };
  if (spawnSync('sh', ['-c', 'command -v node'], { env }).status === 0)
    problems.push('a node is on the PATH the launcher runs with');
  const run = (args, extra = {}) =>
    spawnSync(launcher, args, { encoding: 'utf8', env: { ...env, ...extra }, timeout: 60_000 });

  const v = run(['--version']);
  if (v.status !== 0 || v.stdout.trim() !== version)
    problems.push(
      `\`pipedai-orchestrator --version\` printed ${JSON.stringify(v.stdout.trim())} (exit ${v.status}; ${v.stderr.trim().slice(0, 300)}), expected ${version}`,
    );
  else say(`launcher --version: ${v.stdout.trim()} (the app's binary as Node, no node on PATH)`);

  const help = run(['connect', '--help']);
  if (help.status !== 0 || !help.stdout.includes('Usage: pipedai-orchestrator connect'))
    problems.push(
      `\`pipedai-orchestrator connect --help\` failed (exit ${help.status}): ${help.stderr.trim().slice(0, 300)}`,
    );
  else say('launcher connect --help: ok');

  // No command, or desktop flags only: the CLI starts the app binary, detached, as itself.
  for (const args of [[], ['--hidden']]) {
    const log = join(work, `gui-${args.length}.log`);
    const r = run(args, { PIPEDAI_STUB_GUI_LOG: log });
    if (r.status !== 0) {
      problems.push(
        `\`pipedai-orchestrator ${args.join(' ')}\` exited ${r.status}: ${r.stderr.trim()}`,
      );
      continue;
    }
    const expected = [appBinary, ...args];
    try {
      const seen = await waitFor('the GUI start', 15_000, () =>
        existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : null,
      );
      if (JSON.stringify(seen) !== JSON.stringify(expected))
        problems.push(
          `the launcher started the GUI as ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`,
        );
      else
        say(
          `launcher ${args.join(' ') || '(no arguments)'}: starts the GUI as ${JSON.stringify(expected)}`,
        );
    } catch (e) {
      problems.push(
        `\`pipedai-orchestrator ${args.join(' ')}\` did not start the GUI: ${e.message}`,
      );
    }
  }

  return problems;
}
