import { useApp } from '../store-context.tsx';
import { BuildDialog } from './BuildDialog.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { SelfUpgradeDialog } from './SelfUpgradeDialog.tsx';

export function DialogHost() {
  const dialog = useApp((s) => s.dialog);
  switch (dialog?.kind) {
    case 'confirm':
      return <ConfirmDialog verb={dialog.verb} workerId={dialog.workerId} />;
    case 'self-upgrade':
      return <SelfUpgradeDialog />;
    case 'build':
      return <BuildDialog />;
    default:
      return null;
  }
}
