import { useActions, useApp } from '../store-context.tsx';
import { ConnectivityPill } from './ConnectivityPill.tsx';
import { HostTotals } from './ResourceCell.tsx';
import { VersionPill } from './VersionPill.tsx';

export function Header() {
  const { openDialog, openDiagnostics } = useActions();
  const unauthorized = useApp((s) => s.connection === 'unauthorized');
  const canAct = useApp((s) => s.workers !== null);
  const hostname = useApp((s) => s.self?.hostname);
  return (
    <header className="top">
      <div className="brand">
        <h1>PipedAI Orchestrator</h1>
        <span className="host" title="The machine this orchestrator runs on">
          {hostname ?? 'This host'}
        </span>
        {!unauthorized && <HostTotals />}
      </div>
      {!unauthorized && (
        <div className="top-tools">
          <ConnectivityPill />
          <VersionPill />
          <button
            type="button"
            className="btn"
            title="pipedai-orchestrator doctor: what is wrong with this host, and how to fix it"
            onClick={openDiagnostics}
          >
            Diagnostics
          </button>
          <button
            type="button"
            className="btn primary"
            disabled={!canAct}
            onClick={() => openDialog({ kind: 'build' })}
          >
            + Build worker
          </button>
        </div>
      )}
    </header>
  );
}
