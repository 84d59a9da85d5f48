// The main area: loading, error, "Connect this host" when there are no workers, else the table.
import { useApp, useActions } from '../store-context.tsx';
import { ConnectHost } from './ConnectHost.tsx';
import { RuntimeInstallCard } from './RuntimeInstallCard.tsx';
import { WorkersTable } from './WorkersTable.tsx';
import { AttentionStrip, ColumnGuide } from './AttentionStrip.tsx';
import { sortByAttention } from '../model/attention.ts';

export function WorkersSection() {
  const workers = useApp((s) => s.workers);
  const error = useApp((s) => s.workersError);
  const connection = useApp((s) => s.connection);
  const { loadWorkers } = useActions();

  if (workers === null) {
    if (error) {
      return (
        <section className="card center" role="alert">
          <h2>Could not load the workers</h2>
          <p className="err-text">{error}</p>
          <button type="button" className="btn" onClick={() => void loadWorkers()}>
            Try again
          </button>
        </section>
      );
    }
    return (
      <section className="card center" aria-busy="true">
        <span className="spinner" aria-hidden="true" />{' '}
        {connection === 'reconnecting' ? 'Waiting for the orchestrator…' : 'Loading workers…'}
      </section>
    );
  }
  if (workers.length === 0) return <ConnectHost />;
  return (
    <>
      <RuntimeInstallCard workers={workers} />
      <AttentionStrip workers={workers} />
      <ColumnGuide />
      <WorkersTable workers={sortByAttention(workers)} />
    </>
  );
}
