// In-process serialization of the mutations of one file: every caller for the same resolved
// path, whichever object it goes through, waits for the previous one to finish.
import { resolve } from 'node:path';

const tails = new Map<string, Promise<unknown>>();

export function serializeByPath<R>(path: string, task: () => Promise<R>): Promise<R> {
  const key = resolve(path);
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  // Drop the entry once the queue drains, so the map stays as small as the set of busy files.
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}

/** How many files have work queued or running (bounded by the files busy at once). */
export function busyPathCount(): number {
  return tails.size;
}
