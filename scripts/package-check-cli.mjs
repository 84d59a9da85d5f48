// The bundled CLI of the packed Linux app, run as a user runs it: through its launcher
// (resources/bin/pipedai-orchestrator) on the app's binary as Node. The binary is the packaging
// check's stub Electron: under ELECTRON_RUN_AS_NODE it execs this Node by absolute path, otherwise
// it records how it was started (the GUI). No other Node is on PATH for any of it. Then, inside a
// real systemd (tools/systemd-box), `install` from the launcher writes a unit whose ExecStart is
// the launcher, and the service it starts answers `workers --json`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

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

/** A PATH folder with only what the launcher and `install` need: no node. */
function toolsDir(work) {
  const dir = join(work, 'tools-no-node');
  mkdirSync(dir, { recursive: true });
  for (const tool of ['readlink', 'dirname', 'systemctl']) {
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
export async function checkBundledCli({ unpacked, work, version, repoRoot }) {
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

  problems.push(...(await checkServiceInBox({ launcher, work, repoRoot, tools, say })));
  return problems;
}

/** Why the systemd case cannot run here, or null. */
function boxUnavailable() {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'systemd-box needs root';
  for (const tool of ['unshare', 'nsenter', 'systemctl'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is missing`;
  if (!existsSync('/lib/systemd/systemd')) return 'systemd is not installed';
  return null;
}

async function checkServiceInBox({ launcher, work, repoRoot, tools, say }) {
  const why = boxUnavailable();
  if (why) {
    say(`skipping the service from the launcher in a real systemd: ${why}`);
    return [];
  }
  const box = resolve(repoRoot, 'tools', 'systemd-box', 'systemd-box');
  const name = `issue-22-pkg-${process.pid}`;
  // The box has its own /tmp: what lives there (this check's folder, a checkout, Node) is bound in.
  const binds = new Set([work]);
  for (const p of [realpathSync(process.execPath), repoRoot])
    if (/^\/(tmp|var\/tmp|run)\//.test(p))
      binds.add(p.startsWith(repoRoot) ? repoRoot : dirname(p));
  const problems = [];
  const started = spawnSync(box, ['start', name, ...[...binds].flatMap((b) => ['--bind', b])], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (started.status !== 0) return [`systemd-box did not start: ${started.stderr.trim()}`];
  const inBox = (args, timeout = 60_000) =>
    spawnSync(
      box,
      [
        'exec',
        name,
        'env',
        '-i',
        `PATH=${tools}`,
        'HOME=/root',
        'PIPEDAI_HOME=/var/lib/pipedai-check',
        ...args,
      ],
      { encoding: 'utf8', timeout },
    );
  try {
    const install = inBox([launcher, 'install'], 120_000);
    if (install.status !== 0)
      return [
        `\`pipedai-orchestrator install\` from the launcher failed in systemd: ${install.stdout}${install.stderr}`.trim(),
      ];
    const unit = inBox(['/bin/cat', '/etc/systemd/system/pipedai-orchestrator.service']).stdout;
    const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
    const expected = `"${realpathSync(launcher)}" "start"`;
    if (execStart !== expected) problems.push(`the unit runs ${execStart}, expected ${expected}`);
    else say(`installed from the launcher: ExecStart=${execStart}`);
    try {
      const listed = await waitFor('the service to answer `workers --json`', 60_000, async () => {
        const r = inBox([launcher, 'workers', '--json'], 30_000);
        return r.status === 0 ? r.stdout : null;
      });
      const active = inBox(['/bin/systemctl', 'is-active', 'pipedai-orchestrator']).stdout.trim();
      if (active !== 'active') problems.push(`the service is ${active}, not active`);
      else
        say(
          `the service runs (systemctl: ${active}); workers --json through the launcher: ${JSON.stringify(JSON.parse(listed)).slice(0, 80)}`,
        );
    } catch (e) {
      const journal = inBox([
        '/bin/journalctl',
        '-u',
        'pipedai-orchestrator',
        '--no-pager',
        '-n',
        '20',
      ]).stdout;
      problems.push(`the service from the launcher does not answer: ${e.message}\n${journal}`);
    }
  } finally {
    spawnSync(box, ['stop', name], { timeout: 60_000 });
  }
  return problems;
}
