// No worker runs twice: children a dead daemon left behind are proven ours and adopted.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ManifestEntry, SupervisorStatus } from '../../../shared/index.ts';
import { childRegistryFile } from './child-registry.ts';
import {
  CORE_HOST,
  entry,
  isLive,
  makeSandbox,
  runProcesses,
  strayWorker,
  waitFor,
  type Sandbox,
} from './test-support.ts';
import { createSupervisor, type RecoverReport, type Supervisor } from './index.ts';

let sandbox: Sandbox | null = null;
const supervisors: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.close({ force: true })));
  await sandbox?.cleanup();
  sandbox = null;
});

function supervisorIn(sb: Sandbox): Supervisor {
  const supervisor = createSupervisor({
    paths: sb.paths,
    instanceId: sb.instanceId,
    env: sb.env,
    workerBin: sb.bin,
    adoptPollMs: 50,
    drainCeilingMs: 10_000,
  });
  supervisors.push(supervisor);
  return supervisor;
}

async function recordedPids(sb: Sandbox): Promise<number[]> {
  return (await childRegistryFile(sb.paths.children).read()).children.map((c) => c.pid).sort();
}

describe('adoption in process', () => {
  it('adopts a proven worker instead of spawning a second, and replaces it when it ends', async () => {
    const sb = (sandbox = await makeSandbox());
    const config = await sb.config('w1');
    const stray = await strayWorker(sb, { workerId: 'w1', configPath: config, instanceId: 'old' });
    const pid = stray.record.pid;
    await childRegistryFile(sb.paths.children).write({ version: 1, children: [stray.record] });

    const supervisor = supervisorIn(sb);
    expect(await supervisor.recover()).toEqual({
      adopted: [{ workerId: 'w1', pid }],
      dropped: [],
      killed: [],
    });
    await supervisor.reconcile([entry('w1', config)]);
    expect(supervisor.status('w1')).toMatchObject({ state: 'running', adopted: true, pid });
    expect(supervisor.logs('w1')[0]?.line).toMatch(
      /adopted pid \d+ left running by a previous daemon/,
    );
    expect(await runProcesses(config)).toEqual([pid]);

    // It ends on its own: a supervised replacement at once, still one per worker.
    process.kill(pid, 'SIGKILL');
    const next = await waitFor('the replacement', () => {
      const s = supervisor.status('w1');
      return s?.state === 'running' && !s.adopted && s.pid !== pid ? s.pid : null;
    });
    expect(await runProcesses(config)).toEqual([next]);
    await waitFor('the registry to hold the replacement only', async () => {
      const pids = await recordedPids(sb);
      return pids.length === 1 && pids[0] === next;
    });
  });

  it('stops an adopted worker whose entry is disabled (it drains) or gone', async () => {
    const sb = (sandbox = await makeSandbox());
    const [ca, cb] = await Promise.all([
      sb.config('a', { FAKE_DRAIN_MS: '200' }),
      sb.config('b', { FAKE_DRAIN_MS: '200' }),
    ]);
    const a = await strayWorker(sb, { workerId: 'a', configPath: ca, instanceId: 'old' });
    const b = await strayWorker(sb, { workerId: 'b', configPath: cb, instanceId: 'old' });
    await childRegistryFile(sb.paths.children).write({
      version: 1,
      children: [a.record, b.record],
    });
    const exits = [a, b].map(
      (s) => new Promise<number | null>((r) => s.child.once('exit', (code) => r(code))),
    );

    const supervisor = supervisorIn(sb);
    await supervisor.reconcile([entry('a', ca, 'disabled')]);
    expect(supervisor.status('a')).toMatchObject({ state: 'stopped', adopted: false });
    expect(supervisor.status('b')).toBeNull();
    // Both got SIGTERM and drained (exit 0), not a kill.
    expect(await Promise.all(exits)).toEqual([0, 0]);
    expect(await runProcesses(ca)).toEqual([]);
    expect(await runProcesses(cb)).toEqual([]);
    await waitFor('an empty registry', async () => (await recordedPids(sb)).length === 0);
  });
});

interface Host {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: string[];
  waitFor<T>(what: string, pick: (line: Record<string, unknown>) => T | undefined): Promise<T>;
  exited: Promise<number | null>;
}

function startHost(sb: Sandbox, instanceId: string, entries: ManifestEntry[]): Host {
  const child = spawn(process.execPath, [CORE_HOST], {
    env: {
      ...sb.env,
      PIPEDAI_WORKER_BIN: sb.bin,
      CORE_HOME: sb.paths.home,
      CORE_INSTANCE: instanceId,
      CORE_ENTRIES: JSON.stringify(entries),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    lines,
    stderr,
    exited,
    waitFor: (what, pick) =>
      waitFor(`${what} (host stderr: ${stderr.join('').slice(-500)})`, () => {
        for (const l of lines) {
          const v = pick(l);
          if (v !== undefined) return { v };
        }
        return null;
      }).then((box) => box.v),
  };
}

describe('a core killed and started again', () => {
  it('leaves exactly one run process per worker', async () => {
    const sb = (sandbox = await makeSandbox());
    const configs = await Promise.all([sb.config('w1'), sb.config('w2')]);
    const entries = [entry('w1', configs[0]), entry('w2', configs[1])];

    const first = startHost(sb, 'instance-1', entries);
    await first.waitFor('the first reconcile', (l) => l.reconciled);
    // Both workers are up (signal handlers in place, first output written).
    for (const id of ['w1', 'w2']) {
      await first.waitFor(`${id} started`, (l) => {
        const log = l.log as { id: string; line: string } | undefined;
        return log?.id === id && log.line.startsWith('started ') ? true : undefined;
      });
    }
    const pids = await waitFor('both workers running and recorded', async () => {
      const found = await Promise.all(configs.map(runProcesses));
      if (!found.every((p) => p.length === 1)) return null;
      const flat = found.map((p) => p[0] ?? 0);
      const recorded = await recordedPids(sb);
      return JSON.stringify(recorded) === JSON.stringify([...flat].sort()) ? flat : null;
    });

    first.child.kill('SIGKILL');
    await first.exited;
    for (const pid of pids) expect(await isLive(pid)).toBe(true); // workers outlive their daemon

    const second = startHost(sb, 'instance-2', entries);
    const report = await second.waitFor(
      'the recovery',
      (l) => l.recovered as RecoverReport | undefined,
    );
    expect(report.adopted.map((a) => a.pid).sort()).toEqual([...pids].sort());
    const statuses = await second.waitFor(
      'the second reconcile',
      (l) => l.reconciled as SupervisorStatus[] | undefined,
    );
    // Adoption follows children.json, whose order is the order the spawns were recorded in.
    const byId = [...statuses].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId.map((s) => [s.id, s.state, s.pid, s.adopted])).toEqual([
      ['w1', 'running', pids[0], true],
      ['w2', 'running', pids[1], true],
    ]);
    for (const [i, config] of configs.entries())
      expect(await runProcesses(config)).toEqual([pids[i]]);

    // An adopted worker that dies is replaced by the new core, once.
    process.kill(pids[0] ?? 0, 'SIGKILL');
    const replacement = await waitFor('the replacement', async () => {
      const now = await runProcesses(configs[0]);
      return now.length === 1 && now[0] !== pids[0] ? now[0] : null;
    });
    await second.waitFor('the replacement running', (l) => {
      const s = l.state as SupervisorStatus | undefined;
      return s?.id === 'w1' && s.state === 'running' && s.pid === replacement ? true : undefined;
    });
    expect(await runProcesses(configs[0])).toEqual([replacement]);
    expect(await runProcesses(configs[1])).toEqual([pids[1]]);

    // The new core's shutdown stops adopted and own workers alike.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    for (const config of configs) expect(await runProcesses(config)).toEqual([]);
    expect(await recordedPids(sb)).toEqual([]);
    expect(first.stderr.join('') + second.stderr.join('')).toBe('');
  });
});
