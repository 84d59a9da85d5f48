// Which pipedai-worker a worker runs (managed version, PATH, override), a rollback that
// happened, the install it waits for, or why it cannot start.
import type { FusedWorker } from '../../shared/index.ts';
import { installFor, installLine, runtimeLabel } from '../model/runtime.ts';
import { useApp } from '../store-context.tsx';
import { Explain } from './Explain.tsx';

export function RuntimeCell({ w }: { w: FusedWorker }) {
  const install = useApp((s) => installFor(w, s.runtimeInstall));
  const r = w.runtime;
  return (
    <td className="runtime" data-label="Runtime">
      <span
        className={r?.source === 'none' ? 'badge tone-warn' : 'mono'}
        title={r?.command ?? undefined}
      >
        {runtimeLabel(w)}
      </span>
      {r?.rolledBackFrom && (
        <>
          <div className="badge tone-warn small">rolled back from {r.rolledBackFrom}</div>
          {r.rolledBackAutomatically && <div className="muted small">it crash-looped</div>}
        </>
      )}
      {install ? (
        <div className="muted small" role="status">
          <span className="spinner" aria-hidden="true" /> {installLine(install)}
        </div>
      ) : (
        r?.problem && (
          // The gist here; the whole sentence (what to check) a press away, and in the card.
          <div className="err-text small">
            <Explain text={r.problem}>{r.problem.split(': ')[0]}</Explain>
          </div>
        )
      )}
    </td>
  );
}
