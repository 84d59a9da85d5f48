// Above the table: what needs attention, each item leading to its row (the outage item opens the
// connectivity history), the page title's count, and what the columns mean in plain words.
import { useEffect } from 'react';
import type { FusedWorker } from '../../shared/index.ts';
import { pageTitle, problemCount, summaryItems, type SummaryItem } from '../model/attention.ts';
import { useActions, useApp } from '../store-context.tsx';
import { useNow } from './useNow.ts';

/** Bring the row into view, highlighted, and put the keyboard there. */
function goToRow(workerId: string, highlight: (id: string) => void): void {
  highlight(workerId);
  document.querySelector<HTMLElement>(`tr[data-worker="${CSS.escape(workerId)}"]`)?.focus();
}

export function AttentionStrip({ workers }: { workers: FusedWorker[] }) {
  const connectivity = useApp((s) => s.connectivity);
  const { highlight, openConnectivity } = useActions();
  const now = useNow(1000);
  const problems = problemCount(workers);
  useEffect(() => {
    document.title = pageTitle(problems);
    return () => {
      document.title = pageTitle(0);
    };
  }, [problems]);
  const items = summaryItems(workers, connectivity, now);
  const act = (item: SummaryItem) => {
    if (item.opensConnectivity) openConnectivity();
    else if (item.workerId) goToRow(item.workerId, highlight);
  };
  return (
    <nav className="attention-strip" aria-label="Summary">
      <ul>
        {items.map((item) => (
          <li key={item.key}>
            {item.workerId || item.opensConnectivity ? (
              <button
                type="button"
                className={`attention-item tone-${item.tone}`}
                onClick={() => act(item)}
              >
                {item.text}
              </button>
            ) : (
              <span className="attention-count">{item.text}</span>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** What the columns mean, said on the page (not only in a tooltip). */
export function ColumnGuide() {
  return (
    <p className="column-guide muted small">
      <strong>Local</strong>: the worker process on this machine. <strong>Remote</strong>: what
      PipedAI last heard from the worker. <strong>Mode</strong>: <em>workspace</em> (runs your
      workspace's jobs) or <em>pool</em> (takes jobs from a shared pool).
    </p>
  );
}
