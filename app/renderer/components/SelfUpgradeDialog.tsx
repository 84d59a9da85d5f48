import type { ReactNode } from 'react';
import { useActions, useApp } from '../store-context.tsx';
import { Modal } from './Modal.tsx';

export function SelfUpgradeDialog() {
  const self = useApp((s) => s.self);
  const busy = useApp((s) => s.workers?.filter((w) => w.busy).length ?? 0);
  const { closeDialog, confirmDialog } = useActions();
  const ask = (title: string, confirm: string, body: ReactNode) => (
    <Modal
      title={title}
      onClose={closeDialog}
      footer={
        <>
          <button type="button" className="btn" onClick={closeDialog} data-autofocus>
            Cancel
          </button>
          <button type="button" className="btn primary" onClick={confirmDialog}>
            {confirm}
          </button>
        </>
      }
    >
      <p>{body}</p>
    </Modal>
  );
  const desktop = self?.desktopUpdate;
  if (self && desktop?.state === 'ready' && desktop.version)
    return ask(
      `Restart into v${desktop.version}?`,
      'Restart to update',
      `Running v${self.version}. The app closes, installs the update and starts again; the workers keep running through it${busy > 0 ? ` (${busy} busy now, their runs go on)` : ''}, and the new version takes them over.`,
    );
  if (!self?.latest) return null;
  return ask(
    `Update the orchestrator to v${self.latest}?`,
    'Update now',
    `Running v${self.version}. Every worker finishes its run in progress${busy > 0 ? ` (${busy} busy now)` : ''}, then stops; the new version is installed and the orchestrator restarts with its workers. This page reconnects by itself.`,
  );
}
