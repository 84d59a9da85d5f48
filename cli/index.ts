// pipedai-orchestrator CLI (commander). Exit codes: 0 ok, 1 failure, 2 usage.
// The command table loads nothing a command does not use: each action imports its module when it
// runs (esbuild splits them into dist/chunks/), so `--help` costs commander and this file, and
// `workers` never loads the daemon. What the table itself needs is schema-free (args.ts, the
// shared defaults and verbs, the daemon's boot face).
import { Command, CommanderError, Option } from 'commander';
import { CommandError, errorMessage } from '../app/shared/errors.ts';
import { DEFAULT_API_URL, DEFAULT_CONTROL_PORT } from '../app/shared/defaults.ts';
import { VERB_SUMMARIES, workerVerbs } from '../app/shared/verbs.ts';
import { VERSION } from '../app/main/daemon/boot.ts';
import {
  CLI_VERBS,
  commanderParseOptions,
  parsePort,
  parsePositiveInt,
  UsageError,
} from './args.ts';
import type { CliContext } from './context.ts';
import { LOG_FORMATS, type LogFormat } from '../app/shared/log.ts';
import { createUi } from './ui.ts';

const ui = createUi();
// One context per run: after the command, what it created under sudo goes back to its user.
const run: { ctx?: CliContext } = {};
const ctx = async (): Promise<CliContext> =>
  (run.ctx ??= (await import('./context.ts')).cliContext(process.env));
const workersCommands = () => import('./commands/workers.ts');
let exitCode = 0;

const portOption = () =>
  new Option(
    '--port <n>',
    "control API port of the running daemon (default: the live daemon's, from its runtime record; it must prove itself before it gets the token)",
  ).argParser(parsePort);

const program = new Command('pipedai-orchestrator')
  .description(
    'Local control plane for PipedAI workers: enroll this host, supervise its workers, show them.',
  )
  .version(VERSION, '-V, --version', 'print the version')
  // Program and parent options only before their subcommand, so `upgrade --version <v>` and
  // `workers stop <w> --port <n>` reach the subcommand instead of the parent's same-named option.
  .enablePositionalOptions()
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

program
  .command('connect')
  .description(
    'enroll this host: device pairing a person approves, or a pre-issued enr_ code (--token or stdin)',
  )
  .option('--token <code>', 'a one-time enrollment code (enr_…) from the PipedAI dashboard')
  .option('--api-url <url>', 'pipedai-api base URL', DEFAULT_API_URL)
  .option('--label <name>', "this worker's name (default: the host name)")
  .option('--no-install', 'do not install the background service (run `start` yourself)')
  .option('--no-open', 'do not open the dashboard')
  .action(
    async (o: {
      token?: string;
      apiUrl: string;
      label?: string;
      install: boolean;
      open: boolean;
    }) => (await import('./commands/connect.ts')).connect(await ctx(), ui, o),
  );

program
  .command('start')
  .description('run the daemon in the foreground (SIGTERM/SIGINT drain the workers)')
  .addOption(
    new Option('--port <n>', 'control API port (0 picks a free one)')
      .default(DEFAULT_CONTROL_PORT)
      .argParser(parsePort),
  )
  .option('--host <host>', 'bind address: loopback only (127.0.0.1 or localhost)', '127.0.0.1')
  .addOption(
    new Option(
      '--log-format <format>',
      "the daemon's own log: text, or json (one object a line: level, time, event, worker) for journald, Loki or Vector",
    )
      .choices(LOG_FORMATS)
      .env('PIPEDAI_LOG_FORMAT')
      .default('text'),
  )
  .action(async (o: { port: number; host: string; logFormat: LogFormat }) =>
    (await import('./commands/start.ts')).start(await ctx(), ui, o),
  );

program
  .command('dashboard')
  .description('print (or --open) the authenticated dashboard URL')
  .addOption(portOption())
  .option('--open', 'open it in the default browser', false)
  .action(async (o: { port?: number; open: boolean }) =>
    (await import('./commands/dashboard.ts')).dashboard(await ctx(), ui, o),
  );

program
  .command('workers')
  .description('the workers of this host and their state (`workers <verb> <id|label>` acts on one)')
  .option('--json', 'print the fused view as JSON', false)
  .addOption(portOption())
  .action(async (o: { json: boolean; port?: number }) =>
    (await workersCommands()).listWorkers(await ctx(), ui, o),
  );
const workers = program.commands.find((c) => c.name() === 'workers') as Command;
for (const verb of CLI_VERBS) {
  const c = workers
    .command(verb)
    .description(VERB_SUMMARIES[workerVerbs[verb].command])
    .argument('<worker>', 'worker id or label')
    .addOption(portOption());
  if (verb === 'stop')
    c.option('--force', 'kill at once instead of waiting for the in-flight run', false);
  c.action(async (ref: string, o: { port?: number; force?: boolean }) =>
    (await workersCommands()).workerVerb(await ctx(), ui, verb, ref, o),
  );
}

program
  .command('logs')
  .description("a worker's captured output")
  .argument('<worker>', 'worker id or label')
  .option('-f, --follow', 'keep printing new lines', false)
  .addOption(
    new Option('--tail <n>', 'lines to show first')
      .default(100)
      .argParser(parsePositiveInt('--tail')),
  )
  .addOption(portOption())
  .action(async (ref: string, o: { follow: boolean; tail: number; port?: number }) =>
    (await workersCommands()).logs(await ctx(), ui, ref, o),
  );

program
  .command('connectivity')
  .description('recent network verdicts from connectivity.log (works with the daemon down)')
  .addOption(
    new Option('--tail <n>', 'samples to show')
      .default(20)
      .argParser((v) => Math.max(1, Number.parseInt(v, 10) || 20)),
  )
  .option('--problems', 'only samples that were not online', false)
  .option('--json', 'print the samples as NDJSON', false)
  .action(async (o: { tail: number; problems: boolean; json: boolean }) =>
    (await import('./commands/connectivity.ts')).connectivity((await ctx()).paths, ui, o),
  );

program
  .command('adopt')
  .description('manage legacy standalone worker configs (worker.json, worker.<name>.json) in place')
  .option('--dir <dir>', 'where to look (default: PIPEDAI_HOME)')
  .option('--disabled', 'adopt them stopped', false)
  .action(async (o: { dir?: string; disabled: boolean }) =>
    (await import('./commands/state.ts')).adopt(await ctx(), ui, o),
  );

program
  .command('upgrade')
  .description(
    'upgrade a worker (or --all stale ones), draining its run first; or with --self the orchestrator itself',
  )
  .argument('[worker]', 'worker id or label')
  .option('--all', 'every worker behind the latest release', false)
  .option(
    '--self',
    'the orchestrator itself: shows from → to, then waits for the new daemon',
    false,
  )
  .option('--version <v>', 'the version to install (default: the latest release)')
  .option('--allow-downgrade', 'with --self --version: install an older orchestrator', false)
  .addOption(portOption())
  .action(
    async (
      ref: string | undefined,
      o: { all: boolean; self: boolean; version?: string; allowDowngrade: boolean; port?: number },
    ) => {
      if (o.self) {
        if (ref !== undefined || o.all)
          throw new UsageError('--self upgrades the orchestrator: name no worker and no --all');
        const { upgradeSelfCommand } = await import('./commands/upgrade-self.ts');
        if (!(await upgradeSelfCommand(await ctx(), ui, o))) exitCode = 1;
        return;
      }
      if (o.allowDowngrade) throw new UsageError('--allow-downgrade goes with --self');
      if (!(await (await workersCommands()).upgrade(await ctx(), ui, ref, o))) exitCode = 1;
    },
  );

program
  .command('login')
  .description('store an operator credential by hand (pwk_/hos_ workspace, pop_ pool)')
  .requiredOption('--api-url <url>', 'pipedai-api base URL')
  .option(
    '--token <token>',
    'the token; prefer stdin or PIPEDAI_OPERATOR_TOKEN (argv shows in process lists and history)',
  )
  .option('--scope <scope>', 'workspace or pool', 'workspace')
  .action(async (o: { apiUrl: string; token?: string; scope: string }) =>
    (await import('./commands/state.ts')).login(await ctx(), ui, o),
  );

program
  .command('install')
  .description('install the daemon as a native service (systemd, launchd, NSSM)')
  .option(
    '--user <DOMAIN\\name>',
    'Windows: the account the service logs on as (default: you; never LocalSystem)',
  )
  .addOption(
    new Option('--log-format <format>', "the daemon's log in the unit: text or json")
      .choices(LOG_FORMATS)
      .env('PIPEDAI_LOG_FORMAT'),
  )
  .action(async (o: { user?: string; logFormat?: LogFormat }) =>
    (await import('./commands/service.ts')).installService(await ctx(), ui, o),
  );
program
  .command('uninstall')
  .description('remove the native service (state and registrations stay)')
  .action(async () => (await import('./commands/service.ts')).uninstallService(await ctx(), ui));
program
  .command('status')
  .description('whether the service and the daemon are running')
  .option('--json', 'print as JSON', false)
  .action(async (o: { json: boolean }) => {
    const { serviceStatus } = await import('./commands/service.ts');
    if (!(await serviceStatus(await ctx(), ui, o.json))) exitCode = 1;
  });

program
  .command('doctor')
  .description(
    'check this host (runtime, daemon, service, workers, API and clock, secret files, disk) and print the fix for each problem',
  )
  .option('--json', 'print the checks as JSON', false)
  .addOption(portOption())
  .action(async (o: { json: boolean; port?: number }) => {
    const { doctor } = await import('./commands/doctor.ts');
    if (!(await doctor(await ctx(), ui, o))) exitCode = 1;
  });

program
  .command('version')
  .description('print the version')
  .action(() => ui.out(VERSION));

try {
  await program.parseAsync(process.argv, commanderParseOptions());
} catch (e) {
  if (e instanceof CommanderError) {
    exitCode =
      e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version'
        ? 0
        : 2;
  } else if (e instanceof UsageError) {
    ui.err(`✗ ${e.message}`);
    exitCode = 2;
  } else if (e instanceof CommandError) {
    ui.err(`✗ ${e.message}`);
    exitCode = e.code === 'bad-request' ? 2 : 1;
  } else {
    ui.err(`✗ ${errorMessage(e)}`);
    exitCode = 1;
  }
}
// Under sudo, what the command created in its user's state folder goes back to them (`start` has
// already become that user, so it finds nothing of root's there).
const invoker = run.ctx?.invoker;
if (run.ctx && invoker && process.getuid?.() === 0) {
  const home = run.ctx.paths.home;
  try {
    const { handBack } = await import('../app/main/service/boot.ts');
    await handBack(home, invoker);
  } catch (e) {
    ui.err(`✗ could not give ${home} back to ${invoker.name}: ${errorMessage(e)}`);
    exitCode = 1;
  }
}
process.exitCode = exitCode;
