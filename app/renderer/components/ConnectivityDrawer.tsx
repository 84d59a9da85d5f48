// Connectivity history, newest first: time, verdict, each API probe, the internet probe.
import { dateTime, hostOf, probeText, verdictLabel } from '../model/format.ts';
import { useActions, useApp } from '../store-context.tsx';
import { Modal } from './Modal.tsx';

const TONE = { online: 'ok', 'api-unreachable': 'warn', offline: 'bad', unknown: 'neutral' };

export function ConnectivityDrawer() {
  const c = useApp((s) => s.connectivity);
  const { closeDrawer, loadConnectivity } = useActions();
  const newestFirst = [...c.history].reverse();
  return (
    <Modal variant="drawer" title="Network connectivity" onClose={closeDrawer}>
      <p className="muted small">
        Regular probes of each PipedAI environment this host uses and of the internet. Full log:{' '}
        <code>~/.pipedai/connectivity.log</code> (or <code>pipedai-orchestrator connectivity</code>
        ).
      </p>
      {c.error && (
        <div className="inline-notice tone-err" role="alert">
          <span>Could not load the history: {c.error}</span>
          <button type="button" className="btn small" onClick={() => void loadConnectivity()}>
            Retry
          </button>
        </div>
      )}
      {!c.loaded && newestFirst.length === 0 && (
        <div className="empty">
          <span className="spinner" aria-hidden="true" /> loading…
        </div>
      )}
      {c.loaded && newestFirst.length === 0 && !c.error && (
        <div className="empty">no samples yet</div>
      )}
      <ol className="samples">
        {newestFirst.map((s) => (
          <li key={s.ts}>
            <time className="ts">{dateTime(s.ts)}</time>
            <span className={`badge tone-${TONE[s.verdict]}`}>{verdictLabel(s.verdict)}</span>
            <span className="probes">
              api:{' '}
              {s.api.length === 0
                ? '—'
                : s.api.map((p, i) => (
                    <span key={p.url} className={p.ok ? undefined : 'err-text'}>
                      {i > 0 && ', '}
                      {hostOf(p.url)} {probeText(p)}
                    </span>
                  ))}
              {' · '}internet:{' '}
              <span className={s.internet.ok ? undefined : 'err-text'}>
                {probeText(s.internet)}
              </span>
            </span>
          </li>
        ))}
      </ol>
    </Modal>
  );
}
