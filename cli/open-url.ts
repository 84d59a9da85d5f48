// Opens the dashboard in the default browser without putting the token on a command line
// (argv is visible in process listings): the browser is pointed at a
// private 0600 redirect page instead.
import { spawn as nodeSpawn } from 'node:child_process';
import { join } from 'node:path';
import { childEnv, writeFileAtomic } from '../app/main/daemon/index.ts';

export function openerFor(
  platform: NodeJS.Platform,
  target: string,
): { cmd: string; args: string[] } {
  if (platform === 'darwin') return { cmd: 'open', args: [target] };
  if (platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""', target] };
  return { cmd: 'xdg-open', args: [target] };
}

export function redirectPage(url: string): string {
  const safe = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${safe}"><title>PipedAI Orchestrator</title><a href="${safe}">Open the dashboard</a>\n`;
}

/** True when the opener started (no spawn error within 50 ms). */
export async function openDashboard(
  url: string,
  orchestratorDir: string,
  platform: NodeJS.Platform = process.platform,
  spawn = nodeSpawn,
): Promise<boolean> {
  const page = join(orchestratorDir, 'open-dashboard.html');
  await writeFileAtomic(page, redirectPage(url), 0o600);
  const { cmd, args } = openerFor(platform, page);
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, args, {
        detached: true,
        stdio: 'ignore',
        windowsHide: true,
        env: childEnv(process.env),
      });
      const t = setTimeout(() => resolve(true), 50);
      child.once('error', () => {
        clearTimeout(t);
        resolve(false);
      });
      child.unref();
    } catch {
      resolve(false);
    }
  });
}
