// `pipedai-orchestrator doctor` on the page: each check of the host, and for a problem the
// command that fixes it, ready to copy.
import type { CheckStatus, DiagnosticCheck } from '../../shared/index.ts';
import { dateTime } from '../model/format.ts';
import { useActions, useApp } from '../store-context.tsx';
import { CopyButton } from './CopyButton.tsx';
import { Modal } from './Modal.tsx';

const LOOK: Record<CheckStatus, { tone: string; label: string }> = {
  ok: { tone: 'ok', label: 'ok' },
  info: { tone: 'neutral', label: 'info' },
  warn: { tone: 'warn', label: 'check' },
  fail: { tone: 'bad', label: 'problem' },
};

function Fix({ command }: { command: string }) {
  return (
    <div className="fix">
      <span className="muted small">Fix:</span> <code>{command}</code> <CopyButton text={command} />
    </div>
  );
}

function Check({ c }: { c: DiagnosticCheck }) {
  const look = LOOK[c.status];
  const problem = c.status === 'warn' || c.status === 'fail';
  return (
    <li className={`diag diag-${c.status}`}>
      <span className={`badge tone-${look.tone}`}>{look.label}</span>
      <div className="check-body">
        <div>
          <strong>{c.title}</strong> <span>{c.summary}</span>
        </div>
        {problem &&
          c.details.map((d) => (
            <div key={d} className="muted small">
              {d}
            </div>
          ))}
        {c.fix && <Fix command={c.fix} />}
      </div>
    </li>
  );
}

export function DiagnosticsDrawer() {
  const d = useApp((s) => s.diagnostics);
  const { closeDrawer, loadDiagnostics } = useActions();
  const problems = d.report?.checks.filter((c) => c.status === 'warn' || c.status === 'fail') ?? [];
  return (
    <Modal variant="drawer" title="Diagnostics" onClose={closeDrawer}>
      <p className="muted small">
        What the daemon finds on this host, as <code>pipedai-orchestrator doctor</code> prints it
        {d.report ? ` (checked ${dateTime(d.report.generatedAt)})` : ''}.{' '}
        <button
          type="button"
          className="btn small"
          disabled={d.loading}
          onClick={() => void loadDiagnostics()}
        >
          {d.loading ? 'Checking…' : 'Check again'}
        </button>
      </p>
      {d.error && (
        <div className="inline-notice tone-err" role="alert">
          <span>Could not run the checks: {d.error}</span>
        </div>
      )}
      {!d.report && d.loading && (
        <div className="empty">
          <span className="spinner" aria-hidden="true" /> checking…
        </div>
      )}
      {d.report && (
        <>
          <p className={problems.length ? 'tone-warn' : 'tone-ok'}>
            {problems.length === 0
              ? 'No problems found.'
              : `${problems.length} problem${problems.length === 1 ? '' : 's'}: each says how to fix it.`}
          </p>
          <ul className="checks" aria-label="Checks">
            {d.report.checks.map((c) => (
              <Check key={c.id} c={c} />
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}
