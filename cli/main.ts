// The CLI entry (`pipedai-orchestrator`, dist/cli.js). `start` runs the newest orchestrator on
// this host: this one, or a newer one a self-upgrade installed under
// PIPEDAI_HOME/runtime/orchestrator (app/main/daemon/self-update/managed.ts). A service unit, once
// written, so always starts what self-upgrade put there last. Every other command runs here. Run
// by the desktop app's launcher with no command, it starts the app's window instead (launch.ts).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  childEnv,
  LAUNCHED_ENV,
  launchFor,
  resolveHome,
  VERSION,
} from '../app/main/daemon/index.ts';
import { errorMessage } from '../app/shared/index.ts';
import { desktopLaunch, type GuiCommand } from './launch.ts';

/** Start the desktop app, detached (it outlives this process); resolves once it started. */
function startDesktop(gui: GuiCommand): Promise<void> {
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
  const gui = desktopLaunch(process.platform, process.argv, process.env);
  if (gui) {
    try {
      await startDesktop(gui);
    } catch (e) {
      process.stderr.write(
        `could not start the desktop app (${gui.command}): ${errorMessage(e)}\n`,
      );
      process.exitCode = 1;
    }
    return;
  }
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
