// Above the table: the worker runtime install while it runs, and a failed one with its Retry for
// the workers left without a runtime (their entries are kept; they wait in needs-runtime).
import type { FusedWorker } from '../../shared/index.ts';
import { installActive } from '../model/runtime.ts';
import { useActions, useApp } from '../store-context.tsx';
import { InstallProgress } from './InstallProgress.tsx';

export function RuntimeInstallCard({ workers }: { workers: FusedWorker[] }) {
  const install = useApp((s) => s.runtimeInstall);
  const rows = useApp((s) => s.rows);
  const { runVerb } = useActions();
  const waiting = workers.filter((w) => w.runtime?.source === 'none');
  const failed = install?.phase === 'failed' && waiting.length > 0;
  if (!install || (!installActive(install) && !failed)) return null;
  const retrying = waiting.some((w) => rows[w.id]?.pending === 'install-runtime');
  return (
    <section className="card runtime-card" aria-label="Worker runtime">
      <InstallProgress install={install} />
      {failed && (
        <div className="form-actions">
          <span className="muted small">
            {waiting.map((w) => w.label).join(', ')} {waiting.length === 1 ? 'waits' : 'wait'} for
            it and will start once it is installed.
          </span>
          <button
            type="button"
            className="btn primary"
            disabled={retrying}
            onClick={() => waiting.forEach((w) => void runVerb(w.id, 'install-runtime'))}
          >
            {retrying ? 'Retrying…' : 'Retry'}
          </button>
        </div>
      )}
    </section>
  );
}
