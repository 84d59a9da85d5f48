// A row's lifecycle buttons and the inline result of the last one.
import type { FusedWorker } from '../../shared/index.ts';
import { VERBS, upgradeTarget, verbsFor } from '../model/workers.ts';
import { useActions, useApp } from '../store-context.tsx';

export function RowActions({ worker: w }: { worker: FusedWorker }) {
  const row = useApp((s) => s.rows[w.id]);
  const offline = useApp((s) => s.connection !== 'open');
  const { requestVerb, dismissRowResult } = useActions();
  const pending = row?.pending ?? null;
  return (
    <td className="actions-col">
      <div className="actions">
        {verbsFor(w).map((verb) => {
          const info = VERBS[verb];
          const busy = pending === verb;
          // A stop waits for the run to drain; Force stop must stay reachable meanwhile.
          const blocked = pending !== null && !(verb === 'force-stop' && pending !== verb);
          return (
            <button
              key={verb}
              type="button"
              className={`btn small${info.danger ? ' danger' : ''}${verb === 'upgrade' ? ' warn' : ''}`}
              disabled={blocked || offline}
              aria-label={`${info.label} ${w.label}`}
              title={verb === 'upgrade' ? `Upgrade to v${upgradeTarget(w) ?? '?'}` : undefined}
              onClick={() => requestVerb(w.id, verb)}
            >
              {busy ? info.progress : info.label}
            </button>
          );
        })}
      </div>
      {pending && (
        <div className="row-result muted" role="status">
          <span className="spinner" aria-hidden="true" /> {VERBS[pending].progress}
        </div>
      )}
      {row?.result && (
        <div
          className={`row-result ${row.result.ok ? 'ok-text' : 'err-text'}`}
          role={row.result.ok ? 'status' : 'alert'}
        >
          <span>{row.result.text}</span>
          <button
            type="button"
            className="icon-btn"
            aria-label="Dismiss"
            onClick={() => dismissRowResult(w.id)}
          >
            ×
          </button>
        </div>
      )}
    </td>
  );
}
