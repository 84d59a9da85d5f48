// How the CLI is launched. The desktop app ships a launcher (build/bin, VS Code's bin/code model)
// that runs this script on the app's own binary as Node: ELECTRON_RUN_AS_NODE=1, and
// PIPEDAI_APP_BINARY naming the binary that starts the app's window. Run that way with no command
// (or only desktop flags such as --hidden), the CLI starts the desktop app instead.
import { APP_BINARY_ENV } from '../app/main/daemon/boot.ts';
import { packagedResources } from '../app/main/daemon/client.ts';
import { launchRoute } from '../app/shared/launch-route.ts';

/** The launcher's name, on PATH after installing a desktop package. */
export const LAUNCHER_NAME = 'pipedai-orchestrator';

/** The desktop package's launcher beside `cliPath` (resources/bin), or null outside a package. */
export function packagedLauncher(platform: NodeJS.Platform, cliPath: string): string | null {
  const resources = packagedResources(cliPath);
  if (resources === null) return null;
  const sep = platform === 'win32' ? '\\' : '/';
  return [resources, 'bin', platform === 'win32' ? `${LAUNCHER_NAME}.cmd` : LAUNCHER_NAME].join(
    sep,
  );
}

/** `/Applications/P.app/Contents/…` → `/Applications/P.app`, else null. */
export function macAppBundle(path: string): string | null {
  const i = path.indexOf('.app/');
  return i < 0 ? null : path.slice(0, i + '.app'.length);
}

export interface GuiCommand {
  command: string;
  args: string[];
}

/**
 * What starts the desktop app from its launcher, detached: macOS through Launch Services (`open
 * -a` the bundle), an AppImage through $APPIMAGE (the mount the binary lives in goes away when
 * this process ends), otherwise the app's binary itself.
 */
export function guiCommand(
  platform: NodeJS.Platform,
  appBinary: string,
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[],
): GuiCommand {
  const bundle = platform === 'darwin' ? macAppBundle(appBinary) : null;
  if (bundle !== null)
    return { command: 'open', args: ['-a', bundle, ...(args.length ? ['--args', ...args] : [])] };
  if (platform === 'linux' && env.APPIMAGE) return { command: env.APPIMAGE, args: [...args] };
  return { command: appBinary, args: [...args] };
}

/**
 * The GUI to start instead of running a command: only when the launcher ran this CLI (it names
 * the app's binary) and the arguments hold no command.
 */
export function desktopLaunch(
  platform: NodeJS.Platform,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): GuiCommand | null {
  const appBinary = env[APP_BINARY_ENV];
  const args = argv.slice(2);
  if (!appBinary || launchRoute(args) !== 'gui') return null;
  return guiCommand(platform, appBinary, env, args);
}
