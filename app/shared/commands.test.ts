// The command table owns every per-command fact: route, schemas, how long a client waits, and
// which command each lifecycle verb runs.
import { describe, expect, it } from 'vitest';
import {
  ANSWER_WITHIN,
  RUNTIME_INSTALL_BOUND_MS,
  WORKER_VERBS,
  commands,
  runWorkerVerb,
  workerVerbs,
  type CallCommand,
  type CommandName,
} from './index.ts';

describe('command table', () => {
  it('gives every command a summary and a client timeout; drains wait for the run', () => {
    for (const [name, def] of Object.entries(commands)) {
      expect(def.summary, name).not.toBe('');
      expect(Object.values(ANSWER_WITHIN), name).toContain(def.timeoutMs);
    }
    const drains = [
      'stopWorker',
      'restartWorker',
      'disableWorker',
      'deleteWorker',
      'upgradeWorker',
      'rollbackWorker',
    ];
    for (const name of drains as CommandName[]) expect(commands[name].timeoutMs, name).toBeNull();
    // A self-upgrade drains nothing: it waits for npm (bounded there) and the proof the new CLI runs.
    expect(commands.upgradeSelf.timeoutMs).toBe(ANSWER_WITHIN.install);
    expect(commands.listWorkers.timeoutMs).toBe(30_000);
    // A runtime install outlasts the daemon's own bound on it, even behind another install.
    for (const name of ['installWorkerRuntime', 'buildWorker'] as const)
      expect(commands[name].timeoutMs, name).toBeGreaterThan(RUNTIME_INSTALL_BOUND_MS);
  });

  it('maps every verb to a command whose schema takes the worker id and the fixed input', () => {
    for (const verb of WORKER_VERBS) {
      const { command, input } = workerVerbs[verb];
      expect(commands[command].input.safeParse({ ...input, id: 'w-1' }).success, verb).toBe(true);
    }
    expect(workerVerbs['force-stop']).toEqual({ command: 'stopWorker', input: { force: true } });
  });

  it('runs a verb as its command with the id merged into the fixed input', async () => {
    const calls: Array<[CommandName, unknown]> = [];
    const call = (async (name: CommandName, input: unknown) => {
      calls.push([name, input]);
      return { id: 'w-1', action: 'stop', ok: true };
    }) as CallCommand;
    await runWorkerVerb(call, 'force-stop', 'w-1');
    await runWorkerVerb(call, 'delete', 'w-2');
    expect(calls).toEqual([
      ['stopWorker', { force: true, id: 'w-1' }],
      ['deleteWorker', { id: 'w-2' }],
    ]);
  });
});
