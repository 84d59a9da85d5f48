import { useApp } from '../store-context.tsx';
import { ConnectivityDrawer } from './ConnectivityDrawer.tsx';
import { DiagnosticsDrawer } from './DiagnosticsDrawer.tsx';
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
    case 'diagnostics':
      return <DiagnosticsDrawer />;
    default:
      return null;
  }
}
