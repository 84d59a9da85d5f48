// TEMPORARY: the daemon does not emit `run-events` frames yet, so while the Runs drawer shows the
// worker's current run, ask for new events every 1.5 s. Delete this file and its one call in
// main.tsx once the frames exist; the store already applies them.
import type { AppState, AppStore, Timers } from './store.ts';

export const RUN_EVENTS_POLL_MS = 1500;

export function shouldPollRunEvents(s: AppState): boolean {
  const r = s.runs;
  if (s.connection !== 'open' || !r?.selectedRunId || r.eventsLoading) return false;
  const w = s.workers?.find((x) => x.id === r.workerId);
  return w?.currentRunId === r.selectedRunId;
}

export function startRunEventsPoll(
  store: AppStore,
  timers: Pick<Timers, 'setInterval' | 'clearInterval'>,
): () => void {
  const handle = timers.setInterval(() => {
    const s = store.getState();
    if (shouldPollRunEvents(s)) void s.actions.catchUpRunEvents();
  }, RUN_EVENTS_POLL_MS);
  return () => timers.clearInterval(handle);
}
