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
    `Running v${self.version}. The new version is installed beside this one, then the orchestrator restarts and takes its workers over: every worker keeps running${busy > 0 ? ` (${busy} busy now)` : ''}, and no run is interrupted. If the install fails, nothing changes. This page reconnects by itself.`,
  );
}
