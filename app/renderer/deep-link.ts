// `#logs=<workerId>` opens that worker's Logs drawer (the tray's "Logs…" item links here).
export function logsTarget(hash: string): string | null {
  const m = /^#logs=([A-Za-z0-9._:-]{1,200})$/.exec(hash);
  return m ? (m[1] ?? null) : null;
}

export function followLogsLinks(
  openLogs: (workerId: string) => unknown,
  win: Pick<Window, 'location' | 'addEventListener' | 'history'> = window,
): void {
  const apply = (): void => {
    const id = logsTarget(win.location.hash);
    if (!id) return;
    void openLogs(id);
    // Clear the fragment so the same link opens the drawer again next time.
    win.history.replaceState(null, '', win.location.pathname + win.location.search);
  };
  apply();
  win.addEventListener('hashchange', apply);
}
