// The supervisor over real child processes (fixtures/fake-worker.ts behind a `pipedai-worker` shim).
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { SupervisorStatus } from '../../../shared/index.ts';
import { backoffPolicy, type BackoffPolicy } from './backoff.ts';
import {
  entry,
  isLive,
  makeSandbox,
  printedPids,
  runProcesses,
  waitFor,
  type Sandbox,
} from './test-support.ts';
import {
  createSupervisor,
  type Supervisor,
  type SupervisorOptions,
  type WorkerLogEvent,
} from './index.ts';

const FAST: BackoffPolicy = { ...backoffPolicy({ unitMs: 20 }), stableRunMs: 60_000 };

let sandbox: Sandbox | null = null;
const supervisors: Supervisor[] = [];

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.close({ force: true })));
  await sandbox?.cleanup();
  sandbox = null;
});

async function setup(opts: Partial<SupervisorOptions> = {}) {
  const sb = await makeSandbox();
  sandbox = sb;
  const states: SupervisorStatus[] = [];
  /** When each state event arrived. */
  const seenAt = new Map<SupervisorStatus, number>();
  const logs: WorkerLogEvent[] = [];
  const supervisor = createSupervisor({
    paths: sb.paths,
    instanceId: sb.instanceId,
    env: sb.env,
    workerBin: sb.bin,
    backoff: FAST,
    drainCeilingMs: 10_000,
    ...opts,
  });
  supervisors.push(supervisor);
  supervisor.events.on('state', (s) => {
    states.push(s);
    seenAt.set(s, Date.now());
  });
  supervisor.events.on('log', (l) => logs.push(l));
  const stateOf = (id: string) => supervisor.status(id)?.state;
  const linesOf = (id: string) => supervisor.logs(id);
  /** Running, and its signal handlers are in place (it printed `started <pid>`). */
  const started = (id: string): Promise<number> =>
    waitFor(`${id} started`, () => {
      const s = supervisor.status(id);
      return s?.state === 'running' &&
        s.pid !== null &&
        printedPids(linesOf(id), 'started').includes(s.pid)
        ? s.pid
        : null;
    });
  return { sb, supervisor, states, seenAt, logs, stateOf, linesOf, started };
}

describe('supervisor with real children', () => {
  it('restarts a crashing worker on the backoff schedule with jitter, then crashes at maxRestarts', async () => {
    const randoms = [0, 1, 0.5, 0.25];
    let r = 0;
    const { sb, supervisor, states, seenAt } = await setup({
      backoff: { ...FAST, maxRestarts: 4 },
      random: () => randoms[r++ % randoms.length] ?? 0.5,
    });
    const config = await sb.config('w1', { FAKE_EXIT_AFTER_MS: '0', FAKE_EXIT_CODE: '3' });
    await supervisor.reconcile([entry('w1', config)]);
    await waitFor('crashed', () => supervisor.status('w1')?.state === 'crashed');

    const waits = states.filter((s) => s.state === 'backing-off');
    expect(waits.map((s) => s.restarts)).toEqual([1, 2, 3, 4]);
    // base 20/100/300/1200 ms, ±10% by the injected randoms 0, 1, 0.5, 0.25
    expect(waits.map((s) => (s.nextRestartAt ?? 0) - (s.lastExit?.at ?? 0))).toEqual([
      18, 110, 300, 1140,
    ]);
    for (const s of waits) expect(s.lastExit).toMatchObject({ code: 3, signal: null });
    // Each restart came no earlier than announced (timers may round down by a millisecond).
    for (const w of waits) {
      const next = states.find((s) => s.state === 'starting' && s.lastExit?.at === w.lastExit?.at);
      expect(seenAt.get(next ?? w)).toBeGreaterThanOrEqual((w.nextRestartAt ?? 0) - 1);
    }
    const final = supervisor.status('w1');
    expect(final).toMatchObject({ state: 'crashed', restarts: 5, pid: null, nextRestartAt: null });

    // An explicit start resets the streak.
    supervisor.start('w1');
    expect(supervisor.status('w1')).toMatchObject({ state: 'starting', restarts: 0 });
  });

  it('counts a child that ran past the stable time as a fresh failure', async () => {
    const { sb, supervisor, states } = await setup({ backoff: { ...FAST, stableRunMs: 200 } });
    const config = await sb.config('w1', { FAKE_EXIT_AFTER_MS: '400' });
    await supervisor.reconcile([entry('w1', config)]);
    await waitFor('two exits', () => states.filter((s) => s.state === 'backing-off').length >= 2);
    const waits = states.filter((s) => s.state === 'backing-off');
    expect(waits.slice(0, 2).map((s) => s.restarts)).toEqual([1, 1]);
  });

  it('treats a missing binary as a crash and says why in the log', async () => {
    const { sb, supervisor, linesOf } = await setup({
      workerBin: '/nonexistent/pipedai-worker',
      backoff: { ...FAST, scheduleMs: [600_000] },
    });
    const config = await sb.config('w1');
    await supervisor.reconcile([entry('w1', config)]);
    const s = await waitFor('backing-off', () => {
      const st = supervisor.status('w1');
      return st?.state === 'backing-off' ? st : null;
    });
    expect(s).toMatchObject({ restarts: 1, lastExit: { code: null, signal: null } });
    expect(linesOf('w1').some((l) => /could not start the worker: .*ENOENT/.test(l.line))).toBe(
      true,
    );
    await supervisor.stop('w1');
    expect(supervisor.status('w1')).toMatchObject({
      state: 'stopped',
      restarts: 0,
      nextRestartAt: null,
    });
  });

  it('a stop during backoff cancels the pending restart: the worker stays stopped, nothing runs', async () => {
    const { sb, supervisor, states } = await setup({
      backoff: { ...FAST, scheduleMs: [500], jitter: 0 },
    });
    const config = await sb.config('w1', { FAKE_EXIT_AFTER_MS: '0', FAKE_EXIT_CODE: '3' });
    await supervisor.reconcile([entry('w1', config)]);
    const waiting = await waitFor('backing-off', () => {
      const s = supervisor.status('w1');
      return s?.state === 'backing-off' ? s : null;
    });
    await supervisor.stop('w1');
    expect(supervisor.status('w1')).toMatchObject({
      state: 'stopped',
      pid: null,
      nextRestartAt: null,
    });
    const afterStop = states.length;
    // Past the moment the cancelled restart was due: timers fire in the order they fall due, so
    // by this one's turn a restart timer left behind would have fired.
    await untilPast(waiting.nextRestartAt);
    expect(states.slice(afterStop)).toEqual([]);
    expect(supervisor.status('w1')).toMatchObject({ state: 'stopped', pid: null });
    expect(await runProcesses(config)).toEqual([]);
  });

  it('a start during backoff cuts it short, and the restart it replaced never adds a second process', async () => {
    const { sb, supervisor, started } = await setup({
      backoff: { ...FAST, scheduleMs: [500], jitter: 0 },
    });
    const config = await sb.config('w1', { FAKE_EXIT_AFTER_MS: '0', FAKE_EXIT_CODE: '3' });
    await supervisor.reconcile([entry('w1', config)]);
    const waiting = await waitFor('backing-off', () => {
      const s = supervisor.status('w1');
      return s?.state === 'backing-off' ? s : null;
    });
    await sb.config('w1'); // from now on the worker runs until it is stopped
    supervisor.start('w1');
    const pid = await started('w1');
    await untilPast(waiting.nextRestartAt);
    expect(supervisor.status('w1')).toMatchObject({ state: 'running', pid, restarts: 0 });
    expect(await runProcesses(config)).toEqual([pid]);
  });

  it('captures output per line, bounds an endless line, and emits log events', async () => {
    const { sb, supervisor, logs, linesOf } = await setup({
      backoff: { ...FAST, scheduleMs: [600_000] },
    });
    const config = await sb.config('w1', {
      FAKE_LINES: '4',
      FAKE_HUGE_LINE_BYTES: '100000',
      FAKE_EXIT_AFTER_MS: '300',
    });
    await supervisor.reconcile([entry('w1', config)]);
    await waitFor('the exit', () => supervisor.status('w1')?.state === 'backing-off');
    const lines = linesOf('w1');
    // The two pipes are not ordered against each other; each one is.
    const numbered = (stream: string) =>
      lines.filter((l) => l.stream === stream && /^line \d$/.test(l.line)).map((l) => l.line);
    expect(numbered('out')).toEqual(['line 0', 'line 2']);
    expect(numbered('err')).toEqual(['line 1', 'line 3']);
    const huge = lines.filter((l) => l.line.startsWith('xxx'));
    expect(huge.length).toBeGreaterThan(0);
    for (const l of huge) expect(Buffer.byteLength(l.line)).toBeLessThanOrEqual(8192);
    expect(logs.filter((l) => l.id === 'w1').map((l) => l.line)).toEqual(lines.map((l) => l.line));
    const file = await readFile(sb.paths.logFile('w1'), 'utf8');
    expect(file).toMatch(/ err line 1\n/);
  });

  it('drains on SIGTERM: draining while the run finishes, then stopped with exit 0', async () => {
    const { sb, supervisor, states, started } = await setup();
    const config = await sb.config('w1', { FAKE_DRAIN_MS: '300' });
    await supervisor.reconcile([entry('w1', config)]);
    const pid = await started('w1');
    await waitFor('the registry record', async () => (await registryPids(sb)).includes(pid));
    await supervisor.stop('w1');
    expect(states.some((s) => s.state === 'running' && s.draining)).toBe(true);
    expect(supervisor.status('w1')).toMatchObject({
      state: 'stopped',
      draining: false,
      lastExit: { code: 0, signal: null },
    });
    expect(await isLive(pid)).toBe(false);
    await waitFor('the record removed', async () => (await registryPids(sb)).length === 0);
  });

  it('kills the whole tree of a worker that ignores SIGTERM, grandchildren and orphans included', async () => {
    const { sb, supervisor, linesOf, started } = await setup();
    const config = await sb.config('w1', {
      FAKE_IGNORE_TERM: '1',
      FAKE_GRANDCHILDREN: '2',
      FAKE_DETACHED_GRANDCHILD: '1', // own process group: found by the tree walk
      FAKE_ORPHAN: '1', // reparented away: found through the worker's process group
    });
    await supervisor.reconcile([entry('w1', config)]);
    const worker = await started('w1');
    const helpers = await waitFor('four helpers', () => {
      const pids = printedPids(linesOf('w1'), 'grandchild');
      return pids.length === 4 ? pids : null;
    });
    const tree = [worker, ...helpers];
    for (const pid of tree) expect(await isLive(pid)).toBe(true);

    await supervisor.stop('w1', { ceilingMs: 300 });
    expect(supervisor.status('w1')?.lastExit?.signal).toBe('SIGKILL');
    await waitFor('the tree gone', async () => {
      const live = await Promise.all(tree.map(isLive));
      return live.every((l) => !l);
    });
  });

  it('without a ceiling a drain waits for the run however long; only Force stop cuts it short', async () => {
    const { sb, supervisor, started } = await setup({ drainCeilingMs: null });
    const config = await sb.config('w1', { FAKE_IGNORE_TERM: '1' }); // a run that never ends
    await supervisor.reconcile([entry('w1', config)]);
    const pid = await started('w1');
    const before = Date.now();
    const draining = supervisor.stop('w1');
    const status = supervisor.status('w1');
    expect(status).toMatchObject({ state: 'running', draining: true, pid });
    expect(status?.drainingSince).toBeGreaterThanOrEqual(before);
    await new Promise((r) => setTimeout(r, 1500)); // long enough for an escalation timer to fire
    expect(await isLive(pid)).toBe(true);
    expect(supervisor.status('w1')).toMatchObject({
      draining: true,
      drainingSince: status?.drainingSince,
    });
    await supervisor.stop('w1', { force: true });
    await draining;
    expect(supervisor.status('w1')).toMatchObject({
      state: 'stopped',
      draining: false,
      drainingSince: null,
      lastExit: { signal: 'SIGKILL' },
    });
  });

  it('force stops a worker in the middle of its drain', async () => {
    const { sb, supervisor, started } = await setup();
    const config = await sb.config('w1', { FAKE_IGNORE_TERM: '1' });
    await supervisor.reconcile([entry('w1', config)]);
    await started('w1');
    const draining = supervisor.stop('w1');
    expect(supervisor.status('w1')?.draining).toBe(true);
    await supervisor.stop('w1', { force: true });
    await draining;
    expect(supervisor.status('w1')).toMatchObject({
      state: 'stopped',
      lastExit: { signal: 'SIGKILL' },
    });
  });

  it('honours a start issued while a stop drains: the worker ends running', async () => {
    const { sb, supervisor, started } = await setup();
    const config = await sb.config('w1', { FAKE_DRAIN_MS: '300' });
    await supervisor.reconcile([entry('w1', config)]);
    const first = await started('w1');

    // The verbs: stop = disabled + reconcile, start = enabled + reconcile.
    const stopping = supervisor.reconcile([entry('w1', config, 'disabled')]);
    await waitFor('draining', () => supervisor.status('w1')?.draining);
    await supervisor.reconcile([entry('w1', config, 'enabled')]);
    await stopping;
    const second = await started('w1');
    expect(second).not.toBe(first);
    expect(supervisor.status('w1')).toMatchObject({ restarts: 0, lastExit: { code: 0 } });
    expect(await runProcesses(config)).toEqual([second]);
  });

  it('restart stops then starts; a stop issued meanwhile wins', async () => {
    const { sb, supervisor, started } = await setup();
    const config = await sb.config('w1', { FAKE_DRAIN_MS: '200' });
    await supervisor.reconcile([entry('w1', config)]);
    const first = await started('w1');
    await supervisor.restart('w1');
    expect(supervisor.status('w1')).toMatchObject({ lastExit: { code: 0 } });
    expect(await started('w1')).not.toBe(first);

    const restarting = supervisor.restart('w1');
    const stopping = supervisor.stop('w1');
    await Promise.all([restarting, stopping]);
    expect(supervisor.status('w1')?.state).toBe('stopped');
    expect(await runProcesses(config)).toEqual([]);
  });

  it('reconcile creates, starts, stops in parallel and drops', async () => {
    const { sb, supervisor, states, stateOf, started } = await setup();
    const [a, b, c] = await Promise.all([
      sb.config('a', { FAKE_DRAIN_MS: '300' }),
      sb.config('b', { FAKE_DRAIN_MS: '300' }),
      sb.config('c', { FAKE_DRAIN_MS: '300' }),
    ]);
    await supervisor.reconcile([entry('a', a), entry('b', b, 'disabled'), entry('c', c)]);
    expect(supervisor.statuses().map((s) => [s.id, s.state])).toEqual([
      ['a', 'starting'],
      ['b', 'stopped'],
      ['c', 'starting'],
    ]);
    await started('a');
    const cPid = await started('c');

    // a disabled, b enabled, c gone: a and c stop side by side.
    await supervisor.reconcile([entry('a', a, 'disabled'), entry('b', b)]);
    expect(stateOf('a')).toBe('stopped');
    expect(supervisor.status('c')).toBeNull();
    expect(await isLive(cPid)).toBe(false);
    const firstStop = states.findIndex(
      (s) => s.state === 'stopped' && (s.id === 'a' || s.id === 'c'),
    );
    const drainingBeforeAnyStop = new Set(
      states
        .slice(0, firstStop)
        .filter((s) => s.draining)
        .map((s) => s.id),
    );
    expect(drainingBeforeAnyStop).toEqual(new Set(['a', 'c']));
    await waitFor('b running', () => stateOf('b') === 'running');
    expect(supervisor.logs('c')).toEqual([]);
  });

  it('never runs two processes for one config path: a new entry waits for the retiring one', async () => {
    const { sb, supervisor, states, started } = await setup();
    const config = await sb.config('shared', { FAKE_DRAIN_MS: '300' });
    await supervisor.reconcile([entry('old', config)]);
    await started('old');
    await supervisor.reconcile([entry('new', config)]);
    const pid = await started('new');
    const oldStopped = states.findIndex((s) => s.id === 'old' && s.state === 'stopped');
    const newStarting = states.findIndex((s) => s.id === 'new' && s.state === 'starting');
    expect(oldStopped).toBeGreaterThan(-1);
    expect(newStarting).toBeGreaterThan(oldStopped);
    expect(supervisor.status('old')).toBeNull();
    expect(await runProcesses(config)).toEqual([pid]);
  });

  it('refuses to start after close', async () => {
    const { sb, supervisor } = await setup();
    const config = await sb.config('w1');
    await supervisor.reconcile([entry('w1', config)]);
    await supervisor.close({ force: true });
    expect(supervisor.status('w1')?.state).toBe('stopped');
    expect(() => supervisor.start('w1')).toThrow(/shutting down/);
    await expect(supervisor.reconcile([entry('w1', config)])).rejects.toThrow(/shutting down/);
  });
});

/** Resolves once the clock is past `at` (and its own timer fires after any due earlier). */
function untilPast(at: number | null): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, (at ?? 0) - Date.now()) + 200));
}

async function registryPids(sb: Sandbox): Promise<number[]> {
  const raw = await readFile(sb.paths.children, 'utf8').catch(() => '{"children":[]}');
  return (JSON.parse(raw) as { children: { pid: number }[] }).children.map((c) => c.pid);
}
