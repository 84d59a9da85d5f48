import { useApp } from '../store-context.tsx';

export function ConnectionBanner() {
  const connection = useApp((s) => s.connection);
  const reconnected = useApp((s) => s.reconnected);
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
  return null;
}
