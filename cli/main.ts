// The CLI entry (`pipedai-orchestrator`, dist/cli.js). `--version` is answered here before
// anything else loads. `start` runs the newest orchestrator on this host: this one, or a newer
// one a self-upgrade installed under PIPEDAI_HOME/runtime/orchestrator
// (app/main/daemon/self-update/managed.ts). A service unit, once written, so always starts what
// self-upgrade put there last. Every other command runs here, through the lazy command table
// (index.ts), with Node's compile cache on (compile-cache.ts).
import { existsSync } from 'node:fs';
import { resolveHome, VERSION } from '../app/main/daemon/boot.ts';
import { enableCompileCache } from './compile-cache.ts';

const VERSION_FLAGS = new Set(['--version', '-V']);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.length === 1 && VERSION_FLAGS.has(args[0] as string)) {
    process.stdout.write(`${VERSION}\n`);
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
