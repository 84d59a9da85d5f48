// One command, two faces (VS Code's `code`): `pipedai-orchestrator` with no arguments, or with only
// flags meant for the desktop app, starts the app; with a CLI command it runs the CLI headless.
// Shared by the CLI's entry (run by the launcher) and the app's main process (run directly, or
// from an AppImage), so both read an argument list the same way.

/** The argument a login start carries: no window, only the tray. */
export const HIDDEN_ARG = '--hidden';

/** Flags for the desktop app itself: ours, then Chromium's that desktops and AppImage add. */
const DESKTOP_FLAGS = new Set([
  HIDDEN_ARG,
  '--no-sandbox',
  '--disable-gpu',
  '--enable-logging',
  '--enable-wayland-ime',
  // electron-builder's NSIS installer starts the app with it after an update.
  '--updated',
]);
const DESKTOP_FLAG_PREFIXES = [
  '--ozone-platform=',
  '--ozone-platform-hint=',
  '--enable-features=',
  '--disable-features=',
  '--enable-logging=',
  // macOS Finder's process serial number on an old-style launch.
  '-psn_',
];

export const isDesktopFlag = (arg: string): boolean =>
  DESKTOP_FLAGS.has(arg) || DESKTOP_FLAG_PREFIXES.some((p) => arg.startsWith(p));

/** `args` are the user's arguments (after the program, and after the script under Node). */
export function launchRoute(args: readonly string[]): 'gui' | 'cli' {
  return args.every(isDesktopFlag) ? 'gui' : 'cli';
}

/**
 * The app's own binary, started with arguments (an AppImage, the binary run by hand): hand them to
 * the CLI only when they start with a command or asks for help or the version, so an unknown
 * flag a desktop or an updater adds still starts the app.
 */
export function appRelaysToCli(args: readonly string[]): boolean {
  const first = args.find((a) => !isDesktopFlag(a));
  return (
    first !== undefined &&
    (!first.startsWith('-') || ['-h', '--help', '-V', '--version'].includes(first))
  );
}
