// Linux desktop "Launch at login": an XDG autostart entry (macOS and Windows use Electron's
// login items). It must start the app itself: inside an AppImage that is $APPIMAGE, not
// process.execPath (a path inside the AppImage's temporary mount).
import { desktopExec } from './escape.ts';
import { loadTemplate, renderTemplate } from './render.ts';
import { pathApi } from './spec.ts';
import type { ServiceFs } from './types.ts';

export const AUTOSTART_FILE = 'pipedai-orchestrator.desktop';

export interface AutostartLaunch {
  /** process.execPath of the desktop app. */
  execPath: string;
  /** $APPIMAGE when running from an AppImage: it wins over execPath. */
  appImagePath?: string;
  args: readonly string[];
}

export interface AutostartLocation {
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
}

/** `$XDG_CONFIG_HOME/autostart/…`, or `~/.config/autostart/…`; a relative XDG_CONFIG_HOME is ignored (XDG spec). */
export function autostartPath({ env, homedir }: AutostartLocation): string {
  const p = pathApi('linux');
  const configured = env.XDG_CONFIG_HOME?.trim();
  const configHome =
    configured && p.isAbsolute(configured) ? configured : p.join(homedir, '.config');
  return p.join(configHome, 'autostart', AUTOSTART_FILE);
}

export function renderAutostartEntry(launch: AutostartLaunch, template: string): string {
  const program = launch.appImagePath?.trim() ? launch.appImagePath : launch.execPath;
  if (!pathApi('linux').isAbsolute(program))
    throw new Error(`autostart program must be an absolute path: ${program}`);
  return renderTemplate('autostart.desktop', template, {
    exec: desktopExec([program, ...launch.args]),
  });
}

/**
 * Desktop settings panels switch an entry off by editing it (`Hidden=true`,
 * `X-GNOME-Autostart-enabled=false`) rather than deleting it.
 */
export function autostartEntryEnabled(content: string): boolean {
  return (
    !/^Hidden\s*=\s*true\s*$/m.test(content) &&
    !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(content)
  );
}

export interface AutostartDeps extends AutostartLocation {
  fs: ServiceFs;
  templatesDir?: string;
}

export async function enableAutostart(
  deps: AutostartDeps,
  launch: AutostartLaunch,
): Promise<string> {
  const path = autostartPath(deps);
  const entry = renderAutostartEntry(
    launch,
    await loadTemplate('autostart.desktop', deps.templatesDir),
  );
  await deps.fs.mkdir(pathApi('linux').dirname(path), 0o700);
  await deps.fs.writeFile(path, entry, 0o644);
  return path;
}

/** True when an entry was there to remove. */
export async function disableAutostart(deps: AutostartDeps): Promise<boolean> {
  return deps.fs.remove(autostartPath(deps));
}

export async function isAutostartEnabled(deps: AutostartDeps): Promise<boolean> {
  const content = await deps.fs.readFile(autostartPath(deps));
  return content !== null && autostartEntryEnabled(content);
}
