// Confirmation of a destructive verb (Stop, Force stop, Disable, Delete, Upgrade).
import { VERBS, confirmText, type Verb } from '../model/workers.ts';
import { useActions, useApp } from '../store-context.tsx';
import { Modal } from './Modal.tsx';

export function ConfirmDialog({ verb, workerId }: { verb: Verb; workerId: string }) {
  const worker = useApp((s) => s.workers?.find((w) => w.id === workerId));
  const { closeDialog, confirmDialog } = useActions();
  if (!worker) return null;
  const { title, body } = confirmText(verb, worker);
  const info = VERBS[verb];
  return (
    <Modal
      title={title}
      onClose={closeDialog}
      footer={
        <>
          <button type="button" className="btn" onClick={closeDialog} data-autofocus>
            Cancel
          </button>
          <button
            type="button"
            className={`btn ${info.danger ? 'danger-solid' : 'primary'}`}
            onClick={confirmDialog}
          >
            {info.label}
          </button>
        </>
      }
    >
      <p>{body}</p>
    </Modal>
  );
}
