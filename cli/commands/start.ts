// `start [--port] [--host]`: the headless daemon in the foreground.
import { HostOwnedError } from '../../app/main/daemon/owner/index.ts';
import { startHeadless } from '../../app/main/daemon/headless.ts';
import { CommandError } from '../../app/shared/index.ts';
import { hostServiceOptions, probeService } from '../../app/main/service/index.ts';
import { cliEntry, dashboardDir } from '../assets.ts';
import type { CliContext } from '../context.ts';
import type { Ui } from '../ui.ts';

export async function start(
  ctx: CliContext,
  ui: Ui,
  opts: { port: number; host: string },
): Promise<void> {
  let running;
  try {
    running = await startHeadless({
      host: opts.host,
      port: opts.port,
      env: ctx.env,
      staticDir: dashboardDir(),
      serviceStatus: () => probeService({ ...hostServiceOptions(cliEntry()), env: ctx.env }),
      log: (line) => ui.err(line),
    });
  } catch (e) {
    if (e instanceof HostOwnedError) {
      throw new CommandError(
        'conflict',
        `${e.message}; stop it first, or use \`pipedai-orchestrator workers\` and \`dashboard\` to drive it`,
      );
    }
    throw e;
  }
  ui.out(`pipedai-orchestrator daemon listening on ${running.server.url}`);
  ui.out(
    ui.dim(
      'run `pipedai-orchestrator dashboard --open` for the dashboard; Ctrl-C drains the workers and stops',
    ),
  );
  if (!dashboardDir())
    ui.err(ui.yellow('! the dashboard bundle is not built (npm run build); the API still answers'));
  await running.done;
  ui.out('stopped');
}
