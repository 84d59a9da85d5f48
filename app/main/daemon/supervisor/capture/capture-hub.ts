// One watcher for every worker's output files: `fs.watch` on the capture folder wakes the
// worker whose file changed (one inotify watch in all), and a poll catches what a watch misses
// (network file systems, a watch that failed to start). The reads of all workers share one budget
// per turn of the event loop (turnBytes): a flood is read a slice at a time, and the requests
// waiting between two slices are answered first.
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import type { WorkerLog } from '../logs/index.ts';
import {
  WorkerCapture,
  type CaptureCounters,
  type CaptureLimits,
  type OutputCapture,
  type PumpScheduler,
  type PunchHole,
} from './worker-capture.ts';

export interface CaptureHubOptions {
  /** logs/capture */
  dir: string;
  platform: NodeJS.Platform;
  /** Poll interval behind the watcher (default 500 ms). */
  pollMs?: number;
  limits?: Partial<CaptureLimits>;
  /** Bytes read per turn of the event loop, all workers together (default 256 KiB). */
  turnBytes?: number;
  punchHole?: PunchHole;
  onError?: (err: unknown) => void;
  /** Told what every capture reads and skips. */
  counters?: CaptureCounters;
  /** The folder watcher (default fs.watch); injectable so a test can fail it. */
  watch?: (dir: string, onFile: (name: string | null) => void) => FSWatcher;
}

export const DEFAULT_TURN_BYTES = 256 * 1024;

/**
 * Queued reads, run on later turns (setImmediate: after the turn's I/O, so requests get in
 * between) within `turnBytes` a turn; workers take turns in the order they asked.
 */
export function turnScheduler(turnBytes: number): PumpScheduler {
  const queue: Array<(budget: number) => number> = [];
  let scheduled = false;
  const turn = (): void => {
    scheduled = false;
    let budget = turnBytes;
    // Only who was waiting when the turn began: a worker with more queues itself at the back.
    for (let n = queue.length; n > 0 && budget > 0; n--) {
      const pump = queue.shift() as (budget: number) => number;
      budget -= pump(budget);
    }
    if (queue.length > 0) schedule();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(turn);
  };
  return {
    request(pump) {
      queue.push(pump);
      schedule();
    },
  };
}

export interface CaptureHub {
  capture(workerId: string, log: WorkerLog): OutputCapture;
  /** The workers whose files the hub tails now (a closed capture leaves it). */
  workerIds(): string[];
  close(): void;
}

/** The worker an output file belongs to (`<id>.out`, `<id>.err`), from the name a watch reports. */
export function workerIdOfFile(name: string | null): string | null {
  const dot = name === null ? -1 : name.lastIndexOf('.');
  return dot > 0 ? (name as string).slice(0, dot) : null;
}

const nodeWatch = (dir: string, onFile: (name: string | null) => void): FSWatcher =>
  watch(dir, { persistent: false }, (_event, name) => onFile(name));

export function createCaptureHub(o: CaptureHubOptions): CaptureHub {
  const captures = new Map<string, WorkerCapture>();
  const scheduler = turnScheduler(o.turnBytes ?? DEFAULT_TURN_BYTES);
  const watchDir = o.watch ?? nodeWatch;
  let watcher: FSWatcher | null = null;
  const startWatching = (): void => {
    if (watcher !== null) return;
    try {
      mkdirSync(o.dir, { recursive: true, mode: 0o700 });
      watcher = watchDir(o.dir, (name) => {
        const id = workerIdOfFile(name);
        if (id !== null) captures.get(id)?.poke();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = null; // the poll carries on alone (and tries to watch again)
      });
    } catch {
      // no watch (a folder that cannot be made, no inotify left): the poll carries on alone
    }
  };
  const poll = setInterval(() => {
    startWatching();
    for (const c of captures.values()) c.poke();
  }, o.pollMs ?? 500);
  poll.unref();

  return {
    capture(workerId, log) {
      startWatching();
      const c = new WorkerCapture({
        workerId,
        dir: o.dir,
        log,
        platform: o.platform,
        ...(o.limits ? { limits: o.limits } : {}),
        ...(o.punchHole ? { punchHole: o.punchHole } : {}),
        ...(o.onError ? { onError: o.onError } : {}),
        scheduler,
        ...(o.counters ? { counters: o.counters } : {}),
        onClose: () => {
          if (captures.get(workerId) === c) captures.delete(workerId);
        },
      });
      captures.set(workerId, c);
      return c;
    },
    workerIds: () => [...captures.keys()],
    close() {
      clearInterval(poll);
      watcher?.close();
      watcher = null;
      for (const c of [...captures.values()]) c.close();
    },
  };
}
