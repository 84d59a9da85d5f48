import { useActions, useApp } from '../store-context.tsx';
import { Modal } from './Modal.tsx';

export function SelfUpgradeDialog() {
  const self = useApp((s) => s.self);
  const busy = useApp((s) => s.workers?.filter((w) => w.busy).length ?? 0);
  const { closeDialog, confirmDialog } = useActions();
  const desktop = self?.desktopUpdate;
  if (desktop?.state === 'ready' && desktop.version)
    return (
      <Modal
        title={`Restart into v${desktop.version}?`}
        onClose={closeDialog}
        footer={
          <>
            <button type="button" className="btn" onClick={closeDialog} data-autofocus>
              Cancel
            </button>
            <button type="button" className="btn primary" onClick={confirmDialog}>
              Restart to update
            </button>
          </>
        }
      >
        <p>
          Running v{self?.version}. The app closes, installs the update and starts again; the
          workers keep running through it{busy > 0 ? ` (${busy} busy now, their runs go on)` : ''},
          and the new version takes them over.
        </p>
      </Modal>
    );
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
        Running v{self.version}. Every worker finishes its run in progress
        {busy > 0 ? ` (${busy} busy now)` : ''}, then stops; the new version is installed and the
        orchestrator restarts with its workers. This page reconnects by itself.
      </p>
    </Modal>
  );
}
