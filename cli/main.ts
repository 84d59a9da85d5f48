// The CLI entry (`pipedai-orchestrator`, dist/cli.js). `start` runs the newest orchestrator on
// this host: this one, or a newer one a self-upgrade installed under
// PIPEDAI_HOME/runtime/orchestrator (app/main/daemon/self-update/managed.ts). A service unit, once
// written, so always starts what self-upgrade put there last. Every other command runs here.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { LAUNCHED_ENV, launchFor, resolveHome, VERSION } from '../app/main/daemon/index.ts';

async function main(): Promise<void> {
  if (process.argv[2] === 'start' && !process.env[LAUNCHED_ENV]) {
    const choice = launchFor(resolveHome(process.env), VERSION, existsSync);
    if (choice.kind === 'managed') {
      process.env[LAUNCHED_ENV] = choice.version;
      process.stderr.write(`starting pipedai-orchestrator ${choice.version} (${choice.entry})\n`);
      await import(pathToFileURL(choice.entry).href);
      return;
    }
    if (choice.note) process.stderr.write(`${choice.note}\n`);
  }
  await import('./index.ts');
}

await main();
