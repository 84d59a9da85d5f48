import { useApp } from '../store-context.tsx';
import { ConnectivityDrawer } from './ConnectivityDrawer.tsx';
import { LogsDrawer } from './LogsDrawer.tsx';
import { RunsDrawer } from './RunsDrawer.tsx';

export function DrawerHost() {
  const kind = useApp((s) => s.drawer?.kind ?? null);
  switch (kind) {
    case 'logs':
      return <LogsDrawer />;
    case 'runs':
      return <RunsDrawer />;
    case 'connectivity':
      return <ConnectivityDrawer />;
    default:
      return null;
  }
}
