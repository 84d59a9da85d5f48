// Electron main: the desktop host. The shell (this folder) and the preload are the only code
// that imports electron; everything the shell decides is in ./logic and tested without it.
import { spawnSync } from 'node:child_process';
import { app } from 'electron';
import { runDesktop } from './desktop.ts';
import { cliRelay } from './logic/cli-relay.ts';

const relay = cliRelay({
  packaged: app.isPackaged,
  argv: process.argv,
  execPath: process.execPath,
  resourcesPath: process.resourcesPath,
  env: process.env,
});
if (relay) {
  const r = spawnSync(relay.command, relay.args, { stdio: 'inherit', env: relay.env });
  app.exit(r.status ?? 1);
} else runDesktop();
