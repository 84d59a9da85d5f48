// One watcher for every worker's output files: `fs.watch` on the capture folder wakes the
// worker whose file changed (one inotify watch in all), and a poll catches what a watch misses
// (network file systems, a watch that failed to start).
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import type { WorkerLog } from '../logs/index.ts';
import {
  WorkerCapture,
  type CaptureCounters,
  type CaptureLimits,
  type OutputCapture,
  type PunchHole,
} from './worker-capture.ts';

export interface CaptureHubOptions {
  /** logs/capture */
  dir: string;
  platform: NodeJS.Platform;
  /** Poll interval behind the watcher (default 500 ms). */
  pollMs?: number;
  limits?: Partial<CaptureLimits>;
  punchHole?: PunchHole;
  onError?: (err: unknown) => void;
  /** Told what every capture reads and skips. */
  counters?: CaptureCounters;
}

export interface CaptureHub {
  capture(workerId: string, log: WorkerLog): OutputCapture;
  close(): void;
}

export function createCaptureHub(o: CaptureHubOptions): CaptureHub {
  const captures = new Map<string, WorkerCapture>();
  let watcher: FSWatcher | null = null;
  const startWatching = (): void => {
    if (watcher !== null) return;
    try {
      mkdirSync(o.dir, { recursive: true, mode: 0o700 });
      watcher = watch(o.dir, { persistent: false }, (_event, name) => {
        const file = typeof name === 'string' ? name : '';
        const dot = file.lastIndexOf('.');
        if (dot > 0) captures.get(file.slice(0, dot))?.poke();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = null; // the poll carries on alone
      });
    } catch {
      watcher = null;
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
        ...(o.counters ? { counters: o.counters } : {}),
        onClose: () => {
          if (captures.get(workerId) === c) captures.delete(workerId);
        },
      });
      captures.set(workerId, c);
      return c;
    },
    close() {
      clearInterval(poll);
      watcher?.close();
      watcher = null;
      for (const c of [...captures.values()]) c.close();
    },
  };
}
