// "draining: run <id>, <elapsed>": what the table, the tray and the CLI say while a stop waits
// for a worker's run to finish (a drain has no time limit; Force stop ends it).
import type { FusedWorker } from './status.ts';
import { duration, shortId } from './util.ts';

/** The draining line of a worker, or null when it is not draining. */
export function drainingText(w: FusedWorker, now: number): string | null {
  const l = w.local;
  if (!l?.draining) return null;
  const parts: string[] = [];
  if (w.currentRunId) parts.push(`run ${shortId(w.currentRunId, 12)}`);
  if (l.drainingSince !== null) parts.push(duration(Math.max(0, now - l.drainingSince)));
  return parts.length > 0 ? `draining: ${parts.join(', ')}` : 'draining';
}
