// The orchestrator's own version; when a newer release exists, `vX → vY` and Update now.
import { compareVersions } from '../../shared/index.ts';
import { ago } from '../model/format.ts';
import { useActions, useApp } from '../store-context.tsx';
import { useNow } from './useNow.ts';

export function VersionPill() {
  const self = useApp((s) => s.self);
  const upgrading = useApp((s) => s.selfUpgrading);
  const canAct = useApp((s) => s.connection === 'open');
  const { openDialog } = useActions();
  const now = useNow(30_000);
  if (!self) return null;
  const checked = self.lastCheckedAt
    ? `checked ${ago(Date.parse(self.lastCheckedAt), now)}`
    : 'not checked yet';
  const newer =
    self.stale && self.latest !== null && (compareVersions(self.latest, self.version) ?? 1) > 0;
  if (!newer) {
    return (
      <span className="pill tone-neutral" title={`up to date · ${checked}`}>
        <span className="dot" aria-hidden="true" />v{self.version}
      </span>
    );
  }
  return (
    <span className="pill-group">
      <span className="pill tone-warn" title={`v${self.latest} is available · ${checked}`}>
        v{self.version} → v{self.latest}
      </span>
      <button
        type="button"
        className="btn small"
        disabled={upgrading || !canAct}
        onClick={() => openDialog({ kind: 'self-upgrade' })}
      >
        {upgrading ? 'Updating…' : 'Update now'}
      </button>
    </span>
  );
}
