// `dashboard [--port] [--open]`: the authenticated dashboard URL (contract §8.14), printed only
// for a daemon that has proven it holds the token the URL carries.
import { readLiveOwner } from '../../app/main/daemon/owner/index.ts';
import { connectDaemon, type CliContext } from '../context.ts';
import { openDashboard } from '../open-url.ts';
import type { Ui } from '../ui.ts';

export async function dashboardUrl(ctx: CliContext, port?: number): Promise<string> {
  const daemon = await connectDaemon(ctx, port);
  const token = await ctx.store.credentials.localToken();
  return `${daemon.baseUrl}/?token=${encodeURIComponent(token)}`;
}

export async function openOrPrint(ctx: CliContext, ui: Ui, url: string): Promise<void> {
  if (await openDashboard(url, ctx.paths.orchestratorDir))
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
  if (opts.open) await openOrPrint(ctx, ui, url);
  else ui.out(url);
}
