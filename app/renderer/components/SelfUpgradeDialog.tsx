import { useActions, useApp } from '../store-context.tsx';
import { Modal } from './Modal.tsx';

export function SelfUpgradeDialog() {
  const self = useApp((s) => s.self);
  const busy = useApp((s) => s.workers?.filter((w) => w.busy).length ?? 0);
  const { closeDialog, confirmDialog } = useActions();
  if (!self?.latest) return null;
  return (
    <Modal
      title={`Update the orchestrator to v${self.latest}?`}
      onClose={closeDialog}
      footer={
        <>
          <button type="button" className="btn" onClick={closeDialog} data-autofocus>
            Cancel
          </button>
          <button type="button" className="btn primary" onClick={confirmDialog}>
            Update now
          </button>
        </>
      }
    >
      <p>
        Running v{self.version}. The new version is installed beside this one, then the orchestrator
        restarts and takes its workers over: every worker keeps running
        {busy > 0 ? ` (${busy} busy now)` : ''}, and no run is interrupted. If the install fails,
        nothing changes. This page reconnects by itself.
      </p>
    </Modal>
  );
}
