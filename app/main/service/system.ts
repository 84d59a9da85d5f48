// The real system behind the injected seams: node:fs for unit files, the bounded tool runner for
// systemctl/launchctl/nssm, and this process's identity.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, realpath, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createToolRunner } from '../daemon/tools/run-tool.ts';
import type { ServiceFs, ServiceOptions, ServiceRunner } from './types.ts';

// `systemctl disable --now` and `nssm stop` wait for the daemon's drain (up to 330 s).
const COMMAND_TIMEOUT_MS = 360_000;
// Unit files and autostart entries are a few KiB; anything bigger at that path is not ours.
const MAX_READ_BYTES = 256 * 1024;

export function createServiceRunner(platform: NodeJS.Platform = process.platform): ServiceRunner {
  const run = createToolRunner(platform);
  return async (cmd, args, opts) => {
    const r = await run({
      command: cmd,
      args,
      timeoutMs: COMMAND_TIMEOUT_MS,
      ...(opts?.secrets ? { secrets: opts.secrets } : {}),
    });
    return {
      code: r.timedOut ? null : r.code,
      stdout: r.stdout,
      stderr: r.timedOut ? `timed out; ${r.stderr}` : r.stderr,
    };
  };
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

export const nodeServiceFs: ServiceFs = {
  async writeFile(path, data, mode) {
    // Temp file beside the target, then rename: a unit file is never seen half-written.
    const tmp = join(
      dirname(path),
      `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    try {
      await writeFile(tmp, data, { mode, flag: 'wx' });
      await chmod(tmp, mode); // the create mode is masked by the umask
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  },
  async mkdir(path, mode) {
    // No chmod afterwards: an existing folder (~/Library/LaunchAgents, /etc/systemd/system) keeps its mode.
    await mkdir(path, { recursive: true, mode });
  },
  async remove(path) {
    try {
      await unlink(path);
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  },
  realpath: (path) => realpath(path),
  async readFile(path) {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      const { size } = await handle.stat();
      if (size > MAX_READ_BYTES) throw new Error(`${path} is larger than ${MAX_READ_BYTES} bytes`);
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  },
};

/** This process as the installer: the CLI passes the path of its own script. */
export function hostServiceOptions(cliPath: string, home: () => string = homedir): ServiceOptions {
  const uid = process.getuid?.() ?? -1;
  return {
    platform: process.platform,
    runner: createServiceRunner(),
    fs: nodeServiceFs,
    env: process.env,
    uid,
    isRoot: uid === 0,
    homedir: home(),
    nodePath: process.execPath,
    cliPath,
  };
}
