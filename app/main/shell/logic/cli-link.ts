// macOS "Install command line tool" (VS Code's "Install 'code' command in PATH"): a link
// /usr/local/bin/pipedai-orchestrator → the bundle's CLI launcher (Contents/Resources/bin). Where
// the folder is not the user's to write (a fresh Apple silicon Mac has no /usr/local/bin), macOS
// asks for an administrator's password (osascript `with administrator privileges`).
import { posix } from 'node:path';

export const CLI_LINK_PATH = '/usr/local/bin/pipedai-orchestrator';

/** The bundle's launcher: `<App>.app/Contents/Resources/bin/pipedai-orchestrator`. */
export const bundledLauncher = (resourcesPath: string): string =>
  posix.join(resourcesPath, 'bin', 'pipedai-orchestrator');

/** What is at the link's path: our link, nothing, or something else (replaced on install). */
export type CliLinkState = 'installed' | 'absent' | 'other';

/** `target` is readlink's answer (null when the path is no link), `exists` whether the path exists at all. */
export function cliLinkState(
  launcher: string,
  target: string | null,
  exists: boolean,
): CliLinkState {
  if (target !== null && posix.resolve(posix.dirname(CLI_LINK_PATH), target) === launcher)
    return 'installed';
  return exists || target !== null ? 'other' : 'absent';
}

const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
/** An AppleScript string literal's body. */
const asQuote = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export interface CliLinkCommand {
  command: string;
  args: string[];
}

/**
 * The one command that makes the link: `ln` itself when the user may write the folder, else the
 * same shell line through osascript, which shows macOS's administrator prompt.
 */
export function cliLinkCommand(launcher: string, folderWritable: boolean): CliLinkCommand {
  const dir = posix.dirname(CLI_LINK_PATH);
  if (folderWritable) return { command: 'ln', args: ['-sfn', launcher, CLI_LINK_PATH] };
  const line = `mkdir -p ${shQuote(dir)} && ln -sfn ${shQuote(launcher)} ${shQuote(CLI_LINK_PATH)}`;
  return {
    command: 'osascript',
    args: ['-e', `do shell script "${asQuote(line)}" with administrator privileges`],
  };
}
