// The orchestrator's own version and its update: Update now (a server, from npm), Restart to
// update (the desktop app, once downloaded), progress, or why this build does not update itself.
import { selfPill } from '../model/self-update.ts';
import { ago } from '../model/format.ts';
import { useActions, useApp } from '../store-context.tsx';
import { useNow } from './useNow.ts';

export function VersionPill() {
  const self = useApp((s) => s.self);
  const upgrading = useApp((s) => s.selfUpgrading);
  const canAct = useApp((s) => s.connection === 'open');
  const { openDialog, notify } = useActions();
  const now = useNow(30_000);
  if (!self) return null;
  const checked = self.lastCheckedAt
    ? `checked ${ago(Date.parse(self.lastCheckedAt), now)}`
    : 'not checked yet';
  const pill = selfPill(self, checked);
  switch (pill.kind) {
    case 'current':
    case 'busy':
      return (
        <span
          className={`pill ${pill.kind === 'busy' ? 'tone-info' : 'tone-neutral'}`}
          title={pill.title}
        >
          <span className="dot" aria-hidden="true" />
          {pill.text}
        </span>
      );
    case 'explain':
      return (
        <button
          type="button"
          className="pill tone-neutral"
          title={pill.title}
          onClick={() => notify('info', pill.explain)}
        >
          <span className="dot" aria-hidden="true" />
          {pill.text}
        </button>
      );
    case 'update':
      return (
        <span className="pill-group">
          <span className="pill tone-warn" title={pill.title}>
            {pill.text}
          </span>
          <button
            type="button"
            className="btn small"
            disabled={upgrading || !canAct}
            onClick={() => openDialog({ kind: 'self-upgrade' })}
          >
            {upgrading ? 'Updating…' : pill.button}
          </button>
        </span>
      );
  }
}
