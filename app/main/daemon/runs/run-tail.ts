// Follows the run-event files of the host's workers and hands on what each one appends, so the
// daemon pushes `run-events` frames instead of every dashboard asking for them. A folder watch
// (fs.watch: inotify, FSEvents, ReadDirectoryChangesW) says when to look; a slow poll covers
// what a watch can miss (a folder that does not exist yet, a file system without events).
// Everything is bounded: files followed per worker, events per frame, one read per file at once.
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isSafeSegment, type RunEvent } from '../../../shared/index.ts';
import { MAX_EVENTS_PER_READ, type RunEventsReader } from './run-events.ts';

/** Files followed per worker (a worker runs one job at a time; older runs are done). */
export const MAX_FOLLOWED_PER_WORKER = 4;
/** Events in one frame; a larger batch goes out as several frames. */
export const MAX_EVENTS_PER_FRAME = 500;
/** A file first seen with an append hands on at most its last this-many events. */
export const FIRST_SIGHT_TAIL = 1000;
/** A file written within this long before the watch began may be a live run: its end is noted. */
const LIVE_WITHIN_MS = 10 * 60_000;

export interface RunTailOptions {
  runsDir: string;
  reader: RunEventsReader;
  emit: (workerId: string, runId: string, items: RunEvent[]) => void;
  pollMs?: number;
  /** A burst of appends is read once, this long after its first write. */
  coalesceMs?: number;
  watch?: (dir: string, onName: (name: string | null) => void) => FSWatcher;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export interface RunTail {
  /** The workers whose runs are followed (the manifest's ids); others are let go. Resolves once
   * the folders that exist are watched. */
  follow(workerIds: readonly string[]): Promise<void>;
  close(): void;
}

interface FollowedFile {
  lastSeq: number;
  /** Size when the poll last looked: it reads only a file that changed. */
  size: number;
  reading: boolean;
  again: boolean;
}

interface WorkerRuns {
  dir: string;
  watcher: FSWatcher | null;
  starting: boolean;
  /** The watch failed once (reported once); the poll keeps the folder followed. */
  watchFailed: boolean;
  /** The folder did not exist when following began: every run in it is new. */
  appeared: boolean;
  /** Most recently touched last. */
  files: Map<string, FollowedFile>;
  timer: ReturnType<typeof setTimeout> | null;
  dirty: Set<string>;
  /** A change event without a name: look at the whole folder. */
  rescan: boolean;
}

const runIdOf = (name: string): string | null => {
  if (!name.endsWith('.ndjson')) return null;
  const runId = name.slice(0, -'.ndjson'.length);
  return isSafeSegment(runId) ? runId : null;
};

export function createRunTail(o: RunTailOptions): RunTail {
  const pollMs = o.pollMs ?? 1_000;
  const coalesceMs = o.coalesceMs ?? 50;
  const now = o.now ?? Date.now;
  const watch =
    o.watch ?? ((dir, onName) => fsWatch(dir, { persistent: false }, (_e, name) => onName(name)));
  const workers = new Map<string, WorkerRuns>();
  let closed = false;

  const report = (e: unknown): void => o.onError?.(e);

  function remember(w: WorkerRuns, runId: string, file: FollowedFile): void {
    w.files.delete(runId);
    w.files.set(runId, file);
    while (w.files.size > MAX_FOLLOWED_PER_WORKER) {
      const oldest = w.files.keys().next().value;
      if (oldest === undefined) break;
      w.files.delete(oldest);
    }
  }

  async function lastSeqOf(workerId: string, runId: string): Promise<number> {
    const [last] = await o.reader.read(workerId, runId, { tail: 1 });
    return last?.seq ?? -Infinity;
  }

  function send(workerId: string, runId: string, items: RunEvent[]): void {
    for (let i = 0; i < items.length; i += MAX_EVENTS_PER_FRAME)
      o.emit(workerId, runId, items.slice(i, i + MAX_EVENTS_PER_FRAME));
  }

  /** Hand on what `runId` appended since we last looked; one read per file at a time. */
  async function readNew(workerId: string, w: WorkerRuns, runId: string): Promise<void> {
    let file = w.files.get(runId);
    if (file?.reading) {
      file.again = true;
      return;
    }
    if (!file) {
      file = { lastSeq: -Infinity, size: -1, reading: true, again: false };
      remember(w, runId, file);
      try {
        const first = await o.reader.read(workerId, runId, { tail: FIRST_SIGHT_TAIL });
        if (first.length > 0) {
          file.lastSeq = first[first.length - 1]!.seq;
          if (!closed && workers.get(workerId) === w) send(workerId, runId, first);
        }
      } finally {
        file.reading = false;
      }
      if (file.again) await readNew(workerId, w, runId);
      return;
    }
    file.reading = true;
    try {
      do {
        file.again = false;
        const items = await o.reader.read(workerId, runId, { after: file.lastSeq });
        if (items.length === 0 || closed || workers.get(workerId) !== w) break;
        file.lastSeq = items[items.length - 1]!.seq;
        send(workerId, runId, items);
        if (items.length >= MAX_EVENTS_PER_READ) file.again = true;
      } while (file.again);
    } finally {
      file.reading = false;
    }
  }

  async function rescan(workerId: string, w: WorkerRuns): Promise<void> {
    let names: string[];
    try {
      names = await readdir(w.dir);
    } catch {
      return;
    }
    const recent: Array<{ runId: string; mtimeMs: number }> = [];
    for (const name of names) {
      const runId = runIdOf(name);
      if (!runId) continue;
      const st = await stat(join(w.dir, name)).catch(() => null);
      if (st?.isFile()) recent.push({ runId, mtimeMs: st.mtimeMs });
    }
    recent.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const r of recent.slice(-MAX_FOLLOWED_PER_WORKER)) w.dirty.add(r.runId);
  }

  function flush(workerId: string, w: WorkerRuns): void {
    w.timer = null;
    void (async () => {
      if (w.rescan) {
        w.rescan = false;
        await rescan(workerId, w);
      }
      const names = [...w.dirty];
      w.dirty.clear();
      for (const runId of names) await readNew(workerId, w, runId).catch(report);
    })();
  }

  function changed(workerId: string, w: WorkerRuns, name: string | null): void {
    if (closed || workers.get(workerId) !== w) return;
    if (name === null) w.rescan = true;
    else {
      const runId = runIdOf(name);
      if (!runId) return;
      w.dirty.add(runId);
    }
    w.timer ??= setTimeout(() => flush(workerId, w), coalesceMs);
  }

  /** Watch the folder once it exists; note where live runs stand so only new events go out. */
  async function startWatch(workerId: string, w: WorkerRuns): Promise<void> {
    if (w.watcher || w.starting) return;
    w.starting = true;
    try {
      const st = await stat(w.dir).catch(() => null);
      if (!st?.isDirectory()) w.appeared = true;
      if (!st?.isDirectory() || closed || workers.get(workerId) !== w) return;
      let watcher: FSWatcher;
      try {
        watcher = watch(w.dir, (name) => changed(workerId, w, name));
      } catch (e) {
        if (!w.watchFailed) report(e);
        w.watchFailed = true;
        return;
      }
      watcher.on('error', () => {
        watcher.close();
        if (w.watcher === watcher) w.watcher = null; // the poll tries again
      });
      w.watcher = watcher;
      if (w.appeared) {
        w.rescan = true;
        w.timer ??= setTimeout(() => flush(workerId, w), 0);
        return;
      }
      const since = now() - LIVE_WITHIN_MS;
      for (const name of await readdir(w.dir)) {
        const runId = runIdOf(name);
        if (!runId || w.files.has(runId)) continue;
        const fst = await stat(join(w.dir, name)).catch(() => null);
        if (!fst?.isFile() || fst.mtimeMs < since) continue;
        const lastSeq = await lastSeqOf(workerId, runId);
        remember(w, runId, { lastSeq, size: fst.size, reading: false, again: false });
      }
    } catch (e) {
      report(e);
    } finally {
      w.starting = false;
    }
  }

  /** A watch can miss an event (or a file system may send none): look at what we follow. */
  let polling = false;
  async function pollOnce(): Promise<void> {
    if (polling) return;
    polling = true;
    try {
      for (const [workerId, w] of [...workers]) {
        if (!w.watcher) {
          await startWatch(workerId, w);
          if (!w.watcher) w.rescan = true;
        }
        for (const [runId, f] of w.files) {
          const st = await stat(join(w.dir, `${runId}.ndjson`)).catch(() => null);
          if (st && st.size !== f.size) {
            f.size = st.size;
            w.dirty.add(runId);
          }
        }
        if (w.dirty.size > 0 || w.rescan) w.timer ??= setTimeout(() => flush(workerId, w), 0);
      }
    } finally {
      polling = false;
    }
  }
  const poll = setInterval(() => void pollOnce().catch(report), pollMs);
  poll.unref();

  function drop(workerId: string): void {
    const w = workers.get(workerId);
    if (!w) return;
    workers.delete(workerId);
    w.watcher?.close();
    if (w.timer) clearTimeout(w.timer);
  }

  return {
    async follow(workerIds) {
      if (closed) return;
      const wanted = new Set(workerIds.filter(isSafeSegment));
      for (const id of [...workers.keys()]) if (!wanted.has(id)) drop(id);
      const started: Array<Promise<void>> = [];
      for (const id of wanted) {
        if (workers.has(id)) continue;
        const w: WorkerRuns = {
          dir: join(o.runsDir, id),
          watcher: null,
          starting: false,
          watchFailed: false,
          appeared: false,
          files: new Map(),
          timer: null,
          dirty: new Set(),
          rescan: false,
        };
        workers.set(id, w);
        started.push(startWatch(id, w));
      }
      await Promise.all(started);
    },
    close() {
      closed = true;
      clearInterval(poll);
      for (const id of [...workers.keys()]) drop(id);
    },
  };
}
