// Each platform's spawn and kill, asserted through injection: exactly what would have run.
import { afterEach, describe, expect, it } from 'vitest';
import type { SupervisorPort } from '../deps.ts';
import { entry, waitFor } from './test-support.ts';
import type { Supervisor } from './index.ts';
import { injectedSupervisor, NEVER_WRITTEN } from './fixtures/fake-children.ts';

const supervisors: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stopAll({ force: true })));
});

function injected(
  platform: NodeJS.Platform,
  workerBin: string,
  pid: number | null = 4242,
  isIdle?: (id: string) => Promise<boolean>,
) {
  const made = injectedSupervisor({ platform, workerBin, pid, ...(isIdle ? { isIdle } : {}) });
  supervisors.push(made.supervisor satisfies SupervisorPort); // what the Orchestrator is given
  return made;
}

const taggedEnv = {
  PATH: 'somewhere',
  PIPEDAI_LOCAL_RUN_EVENTS: '1',
  PIPEDAI_ORCHESTRATOR_WORKER_ID: 'w1',
  PIPEDAI_ORCHESTRATOR_INSTANCE: 'inst-1',
  PIPEDAI_ORCHESTRATOR_REGISTRY: NEVER_WRITTEN.children,
};

describe('Windows', () => {
  const bin = 'C:\\Users\\First Last\\AppData\\Roaming\\npm\\pipedai-worker.cmd';
  const configPath = 'C:\\Users\\First Last\\.pipedai\\orchestrator\\workers\\w1.json';

  it('spawns through the shell with every argument escaped and kills the tree with taskkill at once', async () => {
    const { supervisor, spawned, calls, registry } = injected('win32', bin);
    await supervisor.reconcile([entry('w1', configPath)]);
    expect(spawned).toHaveLength(1);
    const [first] = spawned;
    expect(first?.command).toBe(
      'C:\\Users\\First^ Last\\AppData\\Roaming\\npm\\pipedai-worker.cmd ^^^"run^^^" ^^^"--config^^^" ' +
        '^^^"C:\\Users\\First^^^ Last\\.pipedai\\orchestrator\\workers\\w1.json^^^"',
    );
    expect(first?.args).toEqual([]);
    expect(first?.options).toEqual({
      env: taggedEnv,
      stdio: ['ignore', 11, 12],
      shell: true,
      windowsHide: true,
      detached: false,
    });

    first?.child.emit('spawn');
    expect(supervisor.status('w1')).toMatchObject({ state: 'running', pid: 4242 });
    await waitFor('the child record', () => registry.children().length === 1);
    expect(registry.children()[0]).toMatchObject({ workerId: 'w1', pid: 4242, configPath });

    const stopped = supervisor.stop('w1');
    expect(supervisor.status('w1')?.draining).toBe(true);
    await waitFor('taskkill', () => calls.length > 0);
    expect(calls).toEqual([['runFile', 'taskkill', ['/pid', '4242', '/T', '/F']]]);
    first?.child.end(1, null);
    await stopped;
    expect(supervisor.status('w1')).toMatchObject({ state: 'stopped', pid: null, draining: false });
    await waitFor('the record removed', () => registry.children().length === 0);
  });

  it('with a way to tell, waits until the worker holds no run before the tree kill (no drain signal)', async () => {
    const answers = [false, false, true];
    const asked: string[] = [];
    const { supervisor, spawned, calls } = injected('win32', bin, 4242, async (id) => {
      asked.push(id);
      return answers.shift() ?? true;
    });
    await supervisor.reconcile([entry('w1', configPath)]);
    spawned[0]?.child.emit('spawn');
    const stopped = supervisor.stop('w1');
    expect(supervisor.status('w1')?.draining).toBe(true);
    await waitFor('taskkill', () => calls.length > 0);
    expect(asked).toEqual(['w1', 'w1', 'w1']); // busy, busy, idle: then the kill
    expect(calls).toEqual([['runFile', 'taskkill', ['/pid', '4242', '/T', '/F']]]);
    spawned[0]?.child.end(1, null);
    await stopped;
    expect(supervisor.status('w1')?.state).toBe('stopped');
  });

  it('falls back to a plain kill when the child has no pid yet', async () => {
    const { supervisor, spawned, calls } = injected('win32', bin, null);
    await supervisor.reconcile([entry('w1', configPath)]);
    const stopped = supervisor.stop('w1');
    await waitFor('the plain kill', () => spawned[0]?.child.kills.length === 1);
    expect(spawned[0]?.child.kills).toEqual(['SIGKILL']);
    expect(calls).toEqual([]);
    spawned[0]?.child.emit('error', new Error('spawn EPERM'));
    await stopped;
    expect(supervisor.status('w1')?.state).toBe('stopped');
  });
});

describe('POSIX', () => {
  it('spawns detached with plain argv; SIGTERM, then after the grace tree-kill and the group', async () => {
    const { supervisor, spawned, calls } = injected('linux', '/opt/pipedai/bin/pipedai-worker');
    await supervisor.reconcile([entry('w1', '/home/first last/.pipedai/w1.json')]);
    expect(spawned.map(({ command, args, options }) => ({ command, args, options }))).toEqual([
      {
        command: '/opt/pipedai/bin/pipedai-worker',
        args: ['run', '--config', '/home/first last/.pipedai/w1.json'],
        options: { env: taggedEnv, stdio: ['ignore', 11, 12], detached: true },
      },
    ]);
    spawned[0]?.child.emit('spawn');

    const stopped = supervisor.stop('w1');
    expect(calls).toEqual([['signal', 4242, 'SIGTERM']]);
    expect(supervisor.status('w1')).toMatchObject({ state: 'running', draining: true });
    await waitFor('the escalation', () => calls.length === 3);
    expect(calls.slice(1)).toEqual([
      ['treeKill', 4242, 'SIGKILL'],
      ['signal', -4242, 'SIGKILL'],
    ]);
    spawned[0]?.child.end(null, 'SIGKILL');
    await stopped;
    // At exit, whatever is left of the group goes too.
    expect(calls.at(-1)).toEqual(['signal', -4242, 'SIGKILL']);
    expect(supervisor.status('w1')).toMatchObject({
      state: 'stopped',
      lastExit: { code: null, signal: 'SIGKILL' },
    });
  });

  it('force skips the drain', async () => {
    const { supervisor, spawned, calls } = injected('darwin', 'pipedai-worker');
    await supervisor.reconcile([entry('w1', '/w1.json')]);
    spawned[0]?.child.emit('spawn');
    const stopped = supervisor.stop('w1', { force: true, ceilingMs: 60_000 });
    await waitFor('the kill', () => calls.length === 2);
    expect(calls).toEqual([
      ['treeKill', 4242, 'SIGKILL'],
      ['signal', -4242, 'SIGKILL'],
    ]);
    spawned[0]?.child.end(null, 'SIGKILL');
    await stopped;
  });
});
