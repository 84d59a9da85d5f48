// Fault 4: the worker log file cannot be written (its folder replaced by a file; the file
// replaced by a folder) while a chatty worker runs. Logging degrades (the writer notices, stops
// feeding the old file, keeps lines in a bounded queue or counts them with a marker) and recovers
// when the disk is fixed; the daemon keeps answering and the ring keeps serving the live lines.
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../app/shared/index.ts';
import { controlClient, sleep, waitFor, type ControlClient } from './support/control.ts';
import { startInProcess, type InProcessDaemon } from './support/daemon.ts';
import { createFixture, type Fixture, type FaultWorker } from './support/fixture.ts';

/** Chatter numbers in a log text (`… out chatter #<n> …`). */
const chatterNumbers = (text: string): number[] =>
  [...text.matchAll(/chatter #(\d+)/g)].map((m) => Number(m[1]));
const DROP_MARKER = /\d+ lines? dropped \(file error\)/;

describe('fault: log disk write failures', () => {
  let fx: Fixture;
  let daemon: InProcessDaemon | null = null;
  let api: ControlClient;
  let worker: FaultWorker;
  let logFile: string;

  beforeAll(async () => {
    fx = await createFixture({ workers: 1 });
    worker = fx.workers[0] as FaultWorker;
    logFile = fx.paths.logFile(worker.id);
    daemon = await startInProcess(fx.env({ PIPEDAI_SIM_LOG_RATE: '200' }));
    api = controlClient(daemon.url, fx.localToken);
  });
  afterAll(async () => {
    await daemon?.stop();
    await fx?.cleanup();
  });

  const ringTop = async (): Promise<number> => {
    const a = await api.call('GET', `/api/workers/${worker.id}/logs?tail=20`);
    expect(a.status).toBe(200);
    return Math.max(
      0,
      ...chatterNumbers((a.body as { items: LogLine[] }).items.map((l) => l.line).join('\n')),
    );
  };
  const size = async (file: string): Promise<number> => (await stat(file)).size;

  /** The daemon answers, the worker runs on as the same process, the ring moves on. */
  async function stillServing(pid: number, ringBefore: number): Promise<void> {
    const started = performance.now();
    const items = await api.workers();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(items[0]?.local).toMatchObject({ state: 'running', pid });
    await waitFor('new lines in the ring', async () => (await ringTop()) > ringBefore + 100);
  }

  /** `moved` (the file as the fault left it) stops growing: the writer noticed. */
  async function writerLetGo(moved: string): Promise<void> {
    await waitFor(
      'the writer to let go of the replaced file',
      async () => {
        const a = await size(moved);
        await sleep(1_500);
        return (await size(moved)) === a;
      },
      15_000,
      0,
    );
  }

  /** Logging resumes in a fresh file, and the lines since `moved` ended are all there or counted. */
  async function recovered(moved: string): Promise<void> {
    const last = Math.max(...chatterNumbers(await readFile(moved, 'utf8')));
    const text = await waitFor(
      'logging to resume',
      async () => {
        const t = await readFile(logFile, 'utf8').catch(() => '');
        return chatterNumbers(t).some((n) => n > last + 50) ? t : null;
      },
      30_000,
    );
    const numbers = chatterNumbers(text);
    const contiguous = numbers[0] === last + 1;
    expect(contiguous || DROP_MARKER.test(text)).toBe(true);
  }

  async function running(): Promise<number> {
    return waitFor('the worker running and logging', async () => {
      const w = (await api.workers())[0];
      const logged = chatterNumbers(await readFile(logFile, 'utf8').catch(() => '')).length > 50;
      return w?.local?.state === 'running' && logged ? (w.local.pid as number) : null;
    });
  }

  it('survives the logs folder turning into a file', async () => {
    const pid = await running();
    const ringBefore = await ringTop();
    const logsDir = fx.paths.logsDir;
    const movedDir = `${logsDir}.moved`;
    await rename(logsDir, movedDir);
    await writeFile(logsDir, 'not a folder');
    await stillServing(pid, ringBefore);
    await writerLetGo(join(movedDir, `${worker.id}.log`));
    await rm(logsDir);
    await recovered(join(movedDir, `${worker.id}.log`));
    await stillServing(pid, await ringTop());
  });

  it('survives the log file turning into a folder', async () => {
    const pid = await running();
    const ringBefore = await ringTop();
    const moved = `${logFile}.moved`;
    await rename(logFile, moved);
    await mkdir(logFile);
    await stillServing(pid, ringBefore);
    await writerLetGo(moved);
    await rmdir(logFile);
    await recovered(moved);
    await stillServing(pid, await ringTop());
  });
});
