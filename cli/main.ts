// The CLI entry (`pipedai-orchestrator`, dist/cli.js). `--version` is answered here before
// anything else loads. Run by the desktop app's launcher with no command, it starts the app's
// window instead (launch.ts). `start` runs the newest orchestrator on this host: this one, or a
// newer one a self-upgrade installed under PIPEDAI_HOME/runtime/orchestrator
// (app/main/daemon/self-update/managed.ts). A service unit, once written, so always starts what
// self-upgrade put there last. Every other command runs here, through the lazy command table
// (index.ts), with Node's compile cache on (compile-cache.ts).
import { existsSync } from 'node:fs';
import type { GuiCommand } from './launch.ts';

// The bundle's version (esbuild `define`), so `--version` loads no chunk at all; from the
// sources (vitest, node cli/main.ts) the daemon's version.ts reads package.json instead.
declare const __PIPEDAI_VERSION__: string | undefined;
const VERSION_FLAGS = new Set(['--version', '-V']);

/** Start the desktop app, detached (it outlives this process); resolves once it started. */
async function startDesktop(gui: GuiCommand): Promise<void> {
  const { spawn } = await import('node:child_process');
  const { childEnv } = await import('../app/main/daemon/client.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(gui.command, gui.args, {
      detached: true,
      stdio: 'ignore',
      env: childEnv(process.env),
    });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.length === 1 && VERSION_FLAGS.has(args[0] as string)) {
    const version =
      typeof __PIPEDAI_VERSION__ === 'string'
        ? __PIPEDAI_VERSION__
        : (await import('../app/main/daemon/version.ts')).VERSION;
    process.stdout.write(`${version}\n`);
    return;
  }
  const { APP_BINARY_ENV, resolveHome, VERSION } = await import('../app/main/daemon/boot.ts');
  const { enableCompileCache } = await import('./compile-cache.ts');
  // Only the app's launcher names its binary; a plain `node dist/cli.js` loads none of this.
  const gui = process.env[APP_BINARY_ENV]
    ? (await import('./launch.ts')).desktopLaunch(process.platform, process.argv, process.env)
    : null;
  if (gui) {
    try {
      await startDesktop(gui);
    } catch (e) {
      const { errorMessage } = await import('../app/shared/errors.ts');
      process.stderr.write(
        `could not start the desktop app (${gui.command}): ${errorMessage(e)}\n`,
      );
      process.exitCode = 1;
    }
    return;
  }
  const home = resolveHome(process.env);
  // Only in a state folder that exists: a command never creates one just to cache (a fresh host,
  // or root's home while the state is a sudo user's). Under sudo the state is the invoking
  // user's, handed back to them after the command; a cache Node writes as root at exit would stay
  // behind root-owned, so there is none then.
  const underSudo = process.getuid?.() === 0 && (process.env.SUDO_USER ?? 'root') !== 'root';
  if (!underSudo && existsSync(home)) enableCompileCache(home);
  if (args[0] === 'start') {
    const { LAUNCHED_ENV, launchFor } = await import('../app/main/daemon/index.ts');
    if (!process.env[LAUNCHED_ENV]) {
      const { pathToFileURL } = await import('node:url');
      const choice = launchFor(home, VERSION, existsSync);
      if (choice.kind === 'managed') {
        process.env[LAUNCHED_ENV] = choice.version;
        process.stderr.write(`starting pipedai-orchestrator ${choice.version} (${choice.entry})\n`);
        await import(pathToFileURL(choice.entry).href);
        return;
      }
      if (choice.note) process.stderr.write(`${choice.note}\n`);
    }
  }
  await import('./index.ts');
}

await main();
