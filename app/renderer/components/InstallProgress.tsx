// The worker runtime install as it happens: resolving → downloading → installing → verifying,
// or the failure in words (the registry and the package are named by the daemon).
import type { RuntimeInstall } from '../../shared/index.ts';
import { PHASE_TEXT, installLine, installSteps, installTarget } from '../model/runtime.ts';

export function InstallProgress({ install }: { install: RuntimeInstall }) {
  const failed = install.phase === 'failed';
  return (
    <div
      className={`install-progress${failed ? ' failed' : ''}`}
      role={failed ? 'alert' : 'status'}
      aria-label={`Worker runtime: ${installLine(install)}`}
    >
      <div className="install-title">
        {install.phase === 'done'
          ? `Worker runtime ${installTarget(install)} installed`
          : failed
            ? `Could not install ${installTarget(install)}`
            : `Installing the worker runtime ${installTarget(install)}`}
      </div>
      <ol className="install-steps">
        {installSteps(install).map(({ phase, state }) => (
          <li key={phase} className={`step ${state}`}>
            {state === 'current' && <span className="spinner" aria-hidden="true" />}
            {PHASE_TEXT[phase]}
          </li>
        ))}
      </ol>
      {failed && <div className="err-text small">{install.error}</div>}
      {!failed && install.registry && <div className="muted small">from {install.registry}</div>}
    </div>
  );
}
