// Electron main: the desktop host. The shell (this folder) and the preload are the only code
// that imports electron; everything the shell decides is in ./logic and tested without it.
import { runDesktop } from './desktop.ts';

runDesktop();
