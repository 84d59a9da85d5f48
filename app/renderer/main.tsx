// Entry of the dashboard bundle (Electron window and browser alike).
// First: zod must not probe `new Function` (the CSP forbids eval) when the schemas below are built.
import './zod-jitless.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getBridge } from './bridge/index.ts';
import { App } from './components/App.tsx';
import { followLogsLinks } from './deep-link.ts';
import { pagePrefs } from './prefs.ts';
import { createAppStore } from './store/index.ts';
import { StoreProvider } from './store-context.tsx';
import './styles/base.css';
import './styles/controls.css';
import './styles/workers.css';
import './styles/drawers.css';
import './styles/panels.css';
import './styles/attention.css';
import './styles/narrow.css';

const store = createAppStore({ bridge: getBridge(), prefs: pagePrefs() });
store.getState().actions.start();
followLogsLinks((id) => store.getState().actions.openLogs(id));

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
