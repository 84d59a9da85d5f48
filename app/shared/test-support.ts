// Command handlers for door and client tests: each lifecycle verb answers `{id, action, ok}` and
// records its call (id `missing` is not-found, `busy` a conflict); every other command fails as
// "not used" unless the test gives it. And the contract's values that tests on both sides of a
// door build (a worker runtime install).
import { COMMAND_NAMES } from './door.ts';
import { CommandError } from './errors.ts';
import type { CommandHandlers } from './commands.ts';
import { WORKER_VERBS, workerVerbs } from './verbs.ts';
import type { RuntimeInstall } from './runtime.ts';

export function stubHandlers(
  over: Partial<CommandHandlers> = {},
  calls: Array<[string, unknown]> = [],
): CommandHandlers {
  const notUsed = async (): Promise<never> => {
    throw new CommandError('internal', 'not used in this test');
  };
  const handlers: Record<string, unknown> = Object.fromEntries(
    COMMAND_NAMES.map((n) => [n, notUsed]),
  );
  for (const verb of WORKER_VERBS) {
    if (verb === 'force-stop') continue;
    handlers[workerVerbs[verb].command] = async (input: { id: string }) => {
      calls.push([verb, input]);
      if (input.id === 'missing') throw new CommandError('not-found', `unknown worker ${input.id}`);
      if (input.id === 'busy')
        throw new CommandError('conflict', 'an upgrade is already in flight');
      return { id: input.id, action: verb, ok: true };
    };
  }
  return { ...handlers, ...over } as CommandHandlers;
}

/** A worker runtime install in `phase`, from the sandbox registry; a failed one cannot reach it. */
export function runtimeInstall(
  phase: RuntimeInstall['phase'],
  over: Partial<RuntimeInstall> = {},
): RuntimeInstall {
  return {
    installId: 'i1',
    package: '@pipedai/worker',
    spec: '@pipedai/worker@latest',
    version: phase === 'queued' || phase === 'resolving' ? null : '1.4.2',
    phase,
    registry: 'http://127.0.0.1:4873',
    workerIds: [],
    startedAt: 1,
    endedAt: null,
    failure: phase === 'failed' ? 'unreachable' : null,
    error: phase === 'failed' ? 'cannot reach http://127.0.0.1:4873' : null,
    ...over,
  };
}
