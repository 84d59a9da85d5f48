// The app's binary started with a CLI command (an AppImage, whose AppRun always starts the binary;
// the binary run by hand): the command runs in the bundled CLI, on this binary as Node, as the
// launcher would run it. On Linux Electron opens the display before any of this code runs, so
// there this path needs a graphical session; a headless server uses the deb's launcher, which
// never starts Electron's browser side.
import { join } from 'node:path';
import { appRelaysToCli } from '../../../shared/index.ts';
import { APP_BINARY_ENV, RUN_AS_NODE } from '../../hosts/index.ts';

export interface CliRelay {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export function cliRelay(o: {
  packaged: boolean;
  /** process.argv of the main process: [binary, ...args]. */
  argv: readonly string[];
  execPath: string;
  resourcesPath: string;
  env: NodeJS.ProcessEnv;
}): CliRelay | null {
  const args = o.argv.slice(1);
  if (!o.packaged || !appRelaysToCli(args)) return null;
  return {
    command: o.execPath,
    args: [join(o.resourcesPath, 'app.asar.unpacked', 'dist', 'cli.js'), ...args],
    // What the launcher sets (build/bin): Node mode, and the binary that starts the window.
    env: { ...o.env, [RUN_AS_NODE]: '1', [APP_BINARY_ENV]: o.execPath },
  };
}
