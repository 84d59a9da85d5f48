// macOS "Install command line tool" (tray): reads and makes the /usr/local/bin link that
// logic/cli-link.ts decides, running its one command (osascript shows the administrator prompt).
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, lstat, readlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  bundledLauncher,
  CLI_LINK_PATH,
  cliLinkCommand,
  cliLinkState,
  type CliLinkState,
} from './logic/cli-link.ts';

/** The administrator prompt waits for a person: bounded, but generously. */
const LINK_TIMEOUT_MS = 300_000;

export async function readCliLink(resourcesPath: string): Promise<CliLinkState> {
  const target = await readlink(CLI_LINK_PATH).catch(() => null);
  const exists = await lstat(CLI_LINK_PATH).then(
    () => true,
    () => false,
  );
  return cliLinkState(bundledLauncher(resourcesPath), target, exists);
}

export async function installCliLink(resourcesPath: string): Promise<CliLinkState> {
  const writable = await access(dirname(CLI_LINK_PATH), constants.W_OK).then(
    () => true,
    () => false,
  );
  const { command, args } = cliLinkCommand(bundledLauncher(resourcesPath), writable);
  await new Promise<void>((resolve, reject) =>
    execFile(command, args, { timeout: LINK_TIMEOUT_MS }, (err, _out, stderr) =>
      err ? reject(new Error(stderr.trim() || err.message)) : resolve(),
    ),
  );
  return readCliLink(resourcesPath);
}
