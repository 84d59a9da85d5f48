// Stands in for the `when-exit` package in the main bundle (electron.vite.config.ts aliases it).
// electron-store → conf → atomically imports when-exit to delete its temp files at exit; at load
// it hooks SIGHUP, SIGINT, SIGTERM and a dozen more with `process.once`, and on a signal re-raises
// it with `process.kill(process.pid, signal)`. With no other listener left (SIGHUP) that kills the
// app before its drain; on Windows `process.kill` always terminates, so even Ctrl-C (SIGINT) or a
// console close bypassed the drain. Here the callbacks run at process exit only: the app's own
// signal handlers (desktop.ts) decide how it ends, and atomically still cleans up at exit.

/** when-exit's API: run `callback` right before the process exits; returns how to unregister. */
export default function whenExit(callback: () => void): () => void {
  process.once('exit', callback);
  return () => void process.off('exit', callback);
}
