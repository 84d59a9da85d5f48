// `dashboard [--port] [--open]`: the authenticated dashboard URL (contract §8.14), printed only
// for a daemon that has proven it holds the token the URL carries. In an SSH session the browser
// is on the operator's machine: say which tunnel brings the page there.
import { userInfo } from 'node:os';
import { z } from 'zod';
import { readLiveOwner } from '../../app/main/daemon/client.ts';
import { connectDaemon, type CliContext } from '../context.ts';
import { openDashboard } from '../open-url.ts';
import type { Ui } from '../ui.ts';

export async function dashboardUrl(ctx: CliContext, port?: number): Promise<string> {
  const daemon = await connectDaemon(ctx, port);
  const token = await ctx.store.credentials.localToken();
  return `${daemon.baseUrl}/?token=${encodeURIComponent(token)}`;
}

/** sshd's `SSH_CONNECTION`: client address and port, then the server address and port it reached. */
const SshConnection = z
  .string()
  .transform((s) => s.trim().split(/\s+/))
  .pipe(z.tuple([z.string(), z.string(), z.string().min(1), z.string().regex(/^\d{1,5}$/)]));

/**
 * The tunnel to run on the operator's machine, and the URL to open there; null outside an SSH
 * session (or when SSH_CONNECTION does not parse). The server is named by the address the
 * operator's ssh reached, which works from there even when this host's name does not resolve.
 */
export function tunnelHint(o: { env: NodeJS.ProcessEnv; url: string }): string[] | null {
  const ssh = SshConnection.safeParse(o.env.SSH_CONNECTION);
  if (!ssh.success) return null;
  const [, , serverAddress, sshPort] = ssh.data;
  const url = new URL(o.url);
  const port = url.port;
  const user = o.env.USER || o.env.LOGNAME || userInfo().username;
  const portFlag = sshPort === '22' ? '' : `-p ${sshPort} `;
  const tunnel = (local: string) =>
    `ssh ${portFlag}-L ${local}:127.0.0.1:${port} ${user}@${serverAddress}`;
  const elsewhere = new URL(o.url);
  elsewhere.port = '8080';
  return [
    'This is an SSH session: the dashboard opens in a browser on your own machine. There, run',
    `  ${tunnel(port)}`,
    'keep it open, and open',
    `  ${o.url}`,
    `(Port ${port} taken there? Any local port works: ${tunnel('8080')}, then ${elsewhere.href})`,
  ];
}

export async function openOrPrint(ctx: CliContext, ui: Ui, url: string): Promise<void> {
  const hint = tunnelHint({ env: ctx.env, url });
  // A browser on the server would be no use to the operator at the other end of SSH.
  if (hint) for (const line of hint) ui.out(line);
  else if (await openDashboard(url, ctx.paths.orchestratorDir))
    ui.out('opening the dashboard in your browser…');
  else ui.out(`could not open a browser; open this URL yourself:\n${url}`);
}

/** Wait for a live owner to publish its port (after a service install), at most `ms`. */
export async function waitForDaemon(ctx: CliContext, ms: number): Promise<number | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    const owner = await readLiveOwner(ctx.paths);
    if (owner?.port) return owner.port;
    if (Date.now() >= deadline) return null;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function dashboard(
  ctx: CliContext,
  ui: Ui,
  opts: { port?: number; open: boolean },
): Promise<void> {
  const url = await dashboardUrl(ctx, opts.port);
  if (opts.open) return openOrPrint(ctx, ui, url);
  // stdout stays the URL alone (scripts read it); the tunnel is advice for the person.
  ui.out(url);
  for (const line of tunnelHint({ env: ctx.env, url }) ?? []) ui.err(line);
}
