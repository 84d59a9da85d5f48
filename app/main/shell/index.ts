// Electron main: the desktop host. Filled by the desktop issue; the only code importing electron.
import { app } from 'electron';

void app.whenReady().then(() => {
  // Placeholder until the desktop shell lands: the app has nothing to show yet.
  app.quit();
});
