import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { busyPathCount, serializeByPath } from './path-queue.ts';

/** A task that runs until `finish()`; `started` resolves when it began. */
function gate(log: string[], name: string) {
  let finish = (): void => undefined;
  let began = (): void => undefined;
  const started = new Promise<void>((r) => (began = r));
  const finished = new Promise<void>((r) => (finish = r));
  const task = async (): Promise<string> => {
    log.push(`${name} start`);
    began();
    await finished;
    log.push(`${name} end`);
    return name;
  };
  return { task, started, finish };
}

describe('serializeByPath', () => {
  it('runs the tasks of one file one after another, also those queued while one runs', async () => {
    const log: string[] = [];
    const file = join('some', 'state.json');
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const c = gate(log, 'c');
    const runA = serializeByPath(file, a.task);
    const runB = serializeByPath(join('some', '.', 'state.json'), b.task);
    await a.started;
    a.finish();
    await b.started;
    const runC = serializeByPath(file, c.task); // queued after A has drained from the queue
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['a start', 'a end', 'b start']);
    b.finish();
    await c.started;
    c.finish();
    expect(await Promise.all([runA, runB, runC])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('runs the next task after one that failed, and forgets a file once its queue drains', async () => {
    const before = busyPathCount();
    const failed = serializeByPath('drains.json', () => Promise.reject(new Error('nope')));
    const next = serializeByPath('drains.json', () => Promise.resolve('next'));
    expect(busyPathCount()).toBe(before + 1);
    await expect(failed).rejects.toThrow('nope');
    expect(await next).toBe('next');
    await new Promise((r) => setImmediate(r));
    expect(busyPathCount()).toBe(before);
  });
});
