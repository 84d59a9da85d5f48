// `start [--port] [--host]`: the headless daemon in the foreground, or under a service manager.
import {
  confirmRunning,
  HostOwnedError,
  LAUNCHED_ENV,
  VERSION,
} from '../../app/main/daemon/index.ts';
import { startHeadless } from '../../app/main/hosts/index.ts';
import {
  becomeInvoker,
  createServiceRunner,
  handBack,
  hostServiceOptions,
  LAUNCHD_LABEL,
  probeService,
  runningUnder,
  signalIntent,
  type ServiceManagerKind,
} from '../../app/main/service/index.ts';
import { CommandError, errorMessage } from '../../app/shared/index.ts';
import { cliEntry, dashboardDir } from '../assets.ts';
import type { CliContext } from '../context.ts';
import type { Ui } from '../ui.ts';

export async function start(
  ctx: CliContext,
  ui: Ui,
  opts: { port: number; host: string },
): Promise<void> {
  if (ctx.invoker) {
    // `sudo … start`: the daemon runs as the user whose state it is, as the unit would.
    await handBack(ctx.paths.home, ctx.invoker);
    becomeInvoker(ctx.invoker, ctx.env);
    ctx.env.PIPEDAI_HOME = ctx.paths.home;
  }
  const platform = process.platform;
  const manager = runningUnder(ctx.env, process.getuid?.() === 0, LAUNCHD_LABEL);
  const log = (line: string): void => ui.err(line);
  let running;
  try {
    running = await startHeadless({
      host: opts.host,
      port: opts.port,
      env: ctx.env,
      staticDir: dashboardDir(),
      serviceStatus: () => probeService({ ...hostServiceOptions(cliEntry()), env: ctx.env }),
      log,
      signalIntent: () => signalIntent(manager, createServiceRunner(platform)),
      replaceProcess: (listening) => giveWay(manager, listening, log),
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
  // Listening, workers adopted: a version a self-upgrade installed has proven it starts.
  try {
    confirmRunning(running.daemon.paths.home, VERSION);
  } catch (e) {
    log(`could not record that ${VERSION} started: ${errorMessage(e)}`);
  }
  ui.out(`pipedai-orchestrator daemon listening on ${running.server.url}`);
  ui.out(
    ui.dim(
      'run `pipedai-orchestrator dashboard --open` for the dashboard; Ctrl-C stops the workers once their runs finish',
    ),
  );
  if (!dashboardDir())
    ui.err(ui.yellow('! the dashboard bundle is not built (npm run build); the API still answers'));
  await running.done;
  ui.out('stopped');
}

/**
 * After a self-upgrade handed the workers over: under a service manager, exit 0 and it starts the
 * new version (systemd Restart=always, launchd KeepAlive, NSSM AppExit Restart); in a terminal,
 * re-exec in place (same pid, same terminal) through the CLI entry, which picks the newest
 * version. The workers this process spawned stay its children across execve; when they end the
 * new image sees them as zombies, which the liveness check treats as ended (one per worker at most).
 */
function giveWay(
  manager: ServiceManagerKind | null,
  listening: { host: string; port: number },
  log: (line: string) => void,
): void {
  const entry = process.argv[1];
  if (manager === null && typeof process.execve === 'function' && entry) {
    const env = { ...process.env };
    delete env[LAUNCHED_ENV];
    log('re-executing the daemon to run the new version');
    const args = ['start', '--port', String(listening.port), '--host', listening.host];
    process.execve(process.execPath, [process.execPath, ...process.execArgv, entry, ...args], env);
  }
  if (manager === null)
    log(
      'the new version is installed: start the daemon again to run it (nothing restarts it here)',
    );
  process.exit(0);
}
