// `pipedai-worker run` as a real child process against the in-process API emulator: heartbeats,
// claimed runs and their event files, the SIGTERM drain, API failures, crash, EPIPE, grandchildren.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startApiEmulator, type ApiEmulator } from '../api/index.ts';
import { openStream, sseEvents, type SseReader } from '../api/test-support.ts';
import { writeWorkerConfig } from './config.ts';
import { createTracker, isAlive, sandboxCall, waitFor } from './test-support.ts';

const t = createTracker();
// The emulator lives as long as the file: its state folder is not the tests' (their cleanup
// after each test would remove it under the running emulator, which still writes there).
const suite = createTracker();
let emu: ApiEmulator;
let operatorToken: string;
const streams: SseReader[] = [];
let hostCount = 0;

const FAST = { PIPEDAI_SIM_HEARTBEAT_MS: '100', PIPEDAI_SIM_POLL_MS: '100' };

beforeAll(async () => {
  emu = await startApiEmulator({ port: 0, stateDir: join(suite.tempDir('sim-run-emu-'), 'state') });
  operatorToken = await emu.mintToken('pwk');
});
afterAll(async () => {
  await emu.close();
  suite.cleanup();
});
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await sandboxCall(emu.url, 'DELETE', '/sandbox/faults');
  t.cleanup();
});

const Registered = z.object({
  workerId: z.string(),
  workerToken: z.string(),
  workspaceId: z.string().nullable(),
  isPool: z.boolean(),
});

/** A registered worker and its config file, without spending a process on register. */
async function registeredWorker(home: string): Promise<{ workerId: string; config: string }> {
  const res = await fetch(`${emu.url}/api/v1/worker/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token: await emu.mintToken('wrk'),
      hostname: `run-test-${++hostCount}`,
    }),
  });
  const identity = Registered.parse(await res.json());
  const config = join(home, 'orchestrator', 'workers', 'w.json');
  await writeWorkerConfig(config, { ...identity, apiUrl: emu.url });
  return { workerId: identity.workerId, config };
}

const workerView = async (id: string) =>
  z
    .object({ heartbeats: z.number(), version: z.string().nullable() })
    .parse(await sandboxCall(emu.url, 'GET', `/sandbox/workers/${id}`));
const runStatus = async (runId: string) =>
  z
    .object({ status: z.string() })
    .parse(await sandboxCall(emu.url, 'GET', `/sandbox/runs/${runId}`)).status;
const enqueue = async (body: Record<string, unknown>) =>
  z.object({ runId: z.string() }).parse(await sandboxCall(emu.url, 'POST', '/sandbox/runs', body))
    .runId;

const EventLine = z.object({
  seq: z.number(),
  type: z.string(),
  ts: z.string(),
  payload: z.record(z.string(), z.unknown()),
});
const readEvents = (path: string) =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.endsWith('}'))
        .map((l) => EventLine.parse(JSON.parse(l)))
    : [];

async function lifecycleStream(workerId: string): Promise<SseReader> {
  const stream = await openStream(
    `${emu.url}/api/v1/workers/${workerId}/events/stream`,
    operatorToken,
  );
  expect(stream.status).toBe(200);
  streams.push(stream);
  return stream;
}
const sawEvent = (stream: SseReader, type: string) =>
  sseEvents(stream.text()).some((e) => e.type === type);

describe('run', () => {
  it('register → heartbeats with the version → a run played into NDJSON → SIGTERM drains it, then exit 0', async () => {
    const home = t.tempDir('sim-run-');
    const config = join(home, 'orchestrator', 'workers', 'w.json');
    const reg = t.spawnSim([
      'register',
      '--token',
      await emu.mintToken('wrk'),
      '--api-url',
      emu.url,
      '--config',
      config,
      '--hostname',
      'drain-host',
    ]);
    expect((await reg.exited).code).toBe(0);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const { workerId } = z
      .object({ workerId: z.string() })
      .parse(JSON.parse(readFileSync(config, 'utf8')));

    const sim = t.spawnSim(['run', '--config', config], {
      env: {
        ...FAST,
        PIPEDAI_HOME: home,
        PIPEDAI_LOCAL_RUN_EVENTS: '1',
        PIPEDAI_SIM_VERSION: '1.7.7',
      },
    });
    await waitFor('heartbeats with the run version', async () => {
      const w = await workerView(workerId);
      return w.heartbeats >= 2 && w.version === '1.7.7';
    });

    const runId = await enqueue({
      workerId,
      durationMs: 4000,
      events: 10,
      prompt: 'Fix the flaky test',
    });
    const file = join(home, 'runs', workerId, `${runId}.ndjson`);
    await waitFor('the run to be under way', () => readEvents(file).length >= 2);
    sim.child.kill('SIGTERM');
    const linesAtSigterm = readEvents(file).length;
    expect(linesAtSigterm).toBeLessThan(10);

    expect(await sim.exited).toEqual({ code: 0, signal: null });
    const events = readEvents(file);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(events.at(-1)?.type).toBe('result');
    expect(typeof events.at(-1)?.payload.result).toBe('string');
    const blockTypes = events.flatMap(
      (e) =>
        z
          .object({ message: z.object({ content: z.array(z.object({ type: z.string() })) }) })
          .safeParse(e.payload)
          .data?.message.content.map((b) => b.type) ?? [],
    );
    expect(new Set(blockTypes)).toEqual(new Set(['text', 'tool_use', 'tool_result']));
    expect(events.some((e) => e.type === 'stderr' && typeof e.payload.text === 'string')).toBe(
      true,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await runStatus(runId)).toBe('succeeded');

    const out = sim.stdout();
    expect(out).toContain('received SIGTERM: finishing run');
    expect(out.indexOf(`run ${runId} finished: succeeded`)).toBeLessThan(
      out.indexOf('worker stopped'),
    );
    expect(sim.stderr()).toContain('[run '); // stderr events are echoed on stderr
  });

  it('posts worker.started, and worker.stopped on an idle SIGINT', async () => {
    const home = t.tempDir('sim-run-');
    const { workerId, config } = await registeredWorker(home);
    const stream = await lifecycleStream(workerId);
    const sim = t.spawnSim(['run', '--config', config], { env: { ...FAST, PIPEDAI_HOME: home } });
    await stream.until(() => sawEvent(stream, 'worker.started'));
    sim.child.kill('SIGINT');
    expect(await sim.exited).toEqual({ code: 0, signal: null });
    await stream.until(() => sawEvent(stream, 'worker.stopped'));
  });

  it('rides out API failures: logs them, keeps retrying, posts poll.recovered when the API answers again', async () => {
    const home = t.tempDir('sim-run-');
    const { workerId, config } = await registeredWorker(home);
    const stream = await lifecycleStream(workerId);
    const sim = t.spawnSim(['run', '--config', config], { env: { ...FAST, PIPEDAI_HOME: home } });
    await stream.until(() => sawEvent(stream, 'worker.started'));

    await sandboxCall(emu.url, 'POST', '/sandbox/faults', { errorRate: 1 });
    await waitFor(
      'failures to be logged',
      () => sim.stderr().includes('claim failed') && sim.stderr().includes('heartbeat failed'),
    );
    expect(sim.stderr()).toContain('could not post poll.error'); // tried once, while the API failed
    const before = (await workerView(workerId)).heartbeats;

    await sandboxCall(emu.url, 'DELETE', '/sandbox/faults');
    await stream.until(() => sawEvent(stream, 'poll.recovered'));
    await waitFor(
      'heartbeats to resume',
      async () => (await workerView(workerId)).heartbeats > before,
    );
    expect(sim.stdout()).toContain('API reachable again');
    expect(sim.child.exitCode).toBeNull();
    expect(sim.stderr().match(/could not post poll\.error/g)).toHaveLength(1);
  });

  it('crashes with PIPEDAI_SIM_EXIT_CODE after PIPEDAI_SIM_CRASH_AFTER_MS', async () => {
    const home = t.tempDir('sim-run-');
    const { config } = await registeredWorker(home);
    const sim = t.spawnSim(['run', '--config', config], {
      env: {
        ...FAST,
        PIPEDAI_HOME: home,
        PIPEDAI_SIM_CRASH_AFTER_MS: '300',
        PIPEDAI_SIM_EXIT_CODE: '7',
      },
    });
    expect(await sim.exited).toEqual({ code: 7, signal: null });
    expect(sim.stderr()).toContain('simulated crash');
  });

  it('chatters at the requested line size, and dies of a broken output pipe like a plain Node CLI', async () => {
    const home = t.tempDir('sim-run-');
    const { config } = await registeredWorker(home);
    const sim = t.spawnSim(['run', '--config', config], {
      env: { ...FAST, PIPEDAI_HOME: home, PIPEDAI_SIM_LOG_RATE: '400' },
    });
    await waitFor('chatter', () => sim.stdout().includes('chatter #20'));
    // The daemon reading its pipes died.
    sim.child.stdout?.destroy();
    sim.child.stderr?.destroy();
    expect(await sim.exited).toMatchObject({ code: 1 }); // the uncaught `write EPIPE`
  });

  it('with PIPEDAI_SIM_SURVIVE_EPIPE=1, keeps working after its output pipes break', async () => {
    const home = t.tempDir('sim-run-');
    const { workerId, config } = await registeredWorker(home);
    const sim = t.spawnSim(['run', '--config', config], {
      env: {
        ...FAST,
        PIPEDAI_HOME: home,
        PIPEDAI_SIM_LOG_RATE: '400',
        PIPEDAI_SIM_LOG_LINE_BYTES: '64',
        PIPEDAI_SIM_SURVIVE_EPIPE: '1',
      },
    });
    const chatter = await waitFor('chatter', () => {
      const lines = sim
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('chatter #'));
      return lines.length >= 50 && lines;
    });
    for (const line of chatter) expect(line).toHaveLength(64);
    const numbers = chatter.map((l) => Number(l.split(' ')[1]?.slice(1)));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));

    // The supervising daemon died: nobody reads stdout/stderr any more.
    sim.child.stdout?.destroy();
    sim.child.stderr?.destroy();
    const runId = await enqueue({ workerId, durationMs: 300, events: 5 });
    await waitFor(
      'the run to succeed with broken pipes',
      async () => (await runStatus(runId)) === 'succeeded',
    );
    expect(sim.child.exitCode).toBeNull();
    expect(existsSync(join(home, 'runs'))).toBe(false); // no PIPEDAI_LOCAL_RUN_EVENTS, no files
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toEqual({ code: 0, signal: null });
  });

  it('spawns grandchildren; with PIPEDAI_SIM_IGNORE_SIGTERM both ignore SIGTERM; a SIGINT exit reaps them', async () => {
    const home = t.tempDir('sim-run-');
    const { workerId, config } = await registeredWorker(home);
    const sim = t.spawnSim(['run', '--config', config], {
      env: {
        ...FAST,
        PIPEDAI_HOME: home,
        PIPEDAI_SIM_GRANDCHILDREN: '2',
        PIPEDAI_SIM_IGNORE_SIGTERM: '1',
      },
    });
    const pids = await waitFor('two grandchildren', () => {
      const found = [...sim.stdout().matchAll(/grandchild ready pid=(\d+)/g)].map((m) =>
        Number(m[1]),
      );
      return found.length === 2 && found;
    });
    pids.forEach((pid) => t.trackPid(pid));
    await waitFor('the worker to be up', async () => (await workerView(workerId)).heartbeats >= 1);

    sim.child.kill('SIGTERM');
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    await waitFor('the SIGTERM to be ignored', () => sim.stderr().includes('ignoring SIGTERM'));
    const before = (await workerView(workerId)).heartbeats;
    await waitFor(
      'heartbeats after SIGTERM',
      async () => (await workerView(workerId)).heartbeats >= before + 3,
    );
    expect(sim.child.exitCode).toBeNull();
    for (const pid of pids) expect(isAlive(pid)).toBe(true);

    sim.child.kill('SIGINT');
    expect(await sim.exited).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });
});
