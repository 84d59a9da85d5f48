// The worker verbs (CLI `workers <verb>`, tray menu, dashboard buttons) and the one-line summary
// of each command they run. No schema here (types only from commands.ts): the CLI's `--help`
// lists the verbs without loading zod.
import type { CallCommand, CommandInput, CommandName, CommandOutput } from './commands.ts';

/** The CLI's help shows these; commands.ts gives them to the verb commands' table entries. */
export const VERB_SUMMARIES = {
  startWorker: 'Keep the worker running (local only).',
  stopWorker:
    'Stop the worker once its run finishes, however long (local only); force kills at once.',
  restartWorker: 'Drain, stop and start the worker again.',
  disableWorker: 'Disable server-side, then stop locally.',
  enableWorker: 'Enable server-side, then start locally.',
  deleteWorker: 'Deregister server-side (404 = already gone), stop, forget.',
  rollbackWorker: 'Drain, switch the worker back to its previous managed runtime, respawn.',
  installWorkerRuntime: "Install the worker's managed runtime now (the Retry of a failed install).",
} as const;

/**
 * The lifecycle verbs every client offers (CLI `workers <verb>`, tray menu, dashboard buttons):
 * which command each one runs and with what fixed input besides the worker's id.
 */
export const workerVerbs = {
  start: { command: 'startWorker', input: {} },
  stop: { command: 'stopWorker', input: {} },
  'force-stop': { command: 'stopWorker', input: { force: true } },
  restart: { command: 'restartWorker', input: {} },
  disable: { command: 'disableWorker', input: {} },
  enable: { command: 'enableWorker', input: {} },
  delete: { command: 'deleteWorker', input: {} },
  rollback: { command: 'rollbackWorker', input: {} },
  'install-runtime': { command: 'installWorkerRuntime', input: {} },
} as const satisfies Record<string, WorkerVerbDef>;

type ByIdCommand = {
  [N in CommandName]: CommandInput<N> extends { id: string } ? N : never;
}[CommandName];
export interface WorkerVerbDef<N extends ByIdCommand = ByIdCommand> {
  readonly command: N;
  readonly input: Omit<CommandInput<N>, 'id'>;
}
export type WorkerVerb = keyof typeof workerVerbs;
export const WORKER_VERBS = Object.keys(workerVerbs) as WorkerVerb[];

/** Run a verb on one worker through `call`: the one place that turns a verb into a command. */
export function runWorkerVerb(
  call: CallCommand,
  verb: WorkerVerb,
  id: string,
): Promise<CommandOutput<(typeof workerVerbs)[WorkerVerb]['command']>> {
  const def: WorkerVerbDef = workerVerbs[verb];
  const run = call as (name: CommandName, input: unknown) => Promise<never>;
  return run(def.command, { ...def.input, id });
}
