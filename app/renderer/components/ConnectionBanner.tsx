import { clockText } from '../../shared/index.ts';
import { outageSinceOf } from '../model/attention.ts';
import { useApp } from '../store-context.tsx';

/**
 * What is wrong and what still works: the daemon restarting (the page waits for it), or the
 * daemon unable to reach PipedAI (the workers keep running; their remote status is old).
 */
export function ConnectionBanner() {
  const connection = useApp((s) => s.connection);
  const reconnected = useApp((s) => s.reconnected);
  const connectivity = useApp((s) => s.connectivity);
  if (connection === 'reconnecting') {
    return (
      <div className="banner tone-warn" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" /> Reconnecting to the orchestrator…
      </div>
    );
  }
  if (reconnected) {
    return (
      <div className="banner tone-ok" role="status" aria-live="polite">
        Reconnected
      </div>
    );
  }
  const verdict = connectivity.current?.verdict;
  if (connection === 'open' && (verdict === 'api-unreachable' || verdict === 'offline')) {
    const since = outageSinceOf(connectivity);
    const what = verdict === 'offline' ? 'No network' : "Can't reach PipedAI";
    return (
      <div className="banner outage-banner" role="status" aria-live="polite">
        {what}
        {since !== null && ` since ${clockText(since)}`} — workers keep running; remote status is
        out of date
      </div>
    );
  }
  return null;
}
