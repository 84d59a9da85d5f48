// How long each service manager lets the daemon stop, aligned with the drain: a drain waits for
// every run however long (PIPEDAI_DRAIN_CEILING_MS, off by default, is the operator's own limit),
// so by default no manager may cut it short; with a ceiling, each waits a minute past it (the
// daemon kills what is left at the ceiling and needs a moment to exit).
//
// When a manager's own limit hits anyway, it kills the daemon alone; the workers, in their own
// process groups, survive, and the next start adopts them:
// - systemd `TimeoutStopSec` (here `infinity` by default): SIGKILL to the main process only
//   (KillMode=process). At shutdown, systemd's shutdown targets still bound the whole stop
//   (poweroff/reboot.target: JobTimeoutSec=30min, then forced): the machine goes down anyway.
// - launchd `ExitTimeOut` (here 0 = wait forever by default): SIGKILL to the daemon; the workers
//   are not in its process group, and AbandonProcessGroup keeps launchd off them. At logout or
//   shutdown macOS's own deadline ends everything, the workers too.
// - NSSM `AppStopMethodConsole` (here INFINITE by default): NSSM moves on to WM_CLOSE, thread
//   messages, then TerminateProcess on the daemon; AppKillProcessTree 0 leaves the workers. At
//   Windows shutdown the service control manager's own timeout ends everything.

/** Past the ceiling: time for the daemon to kill what is left and exit. */
export const STOP_MARGIN_MS = 60_000;
/** NSSM's INFINITE wait (a DWORD of milliseconds). */
export const NSSM_INFINITE = 4_294_967_295;

export interface StopTimeouts {
  /** systemd TimeoutStopSec value. */
  systemd: string;
  /** launchd ExitTimeOut, seconds; 0 is infinity. */
  launchdSeconds: number;
  /** NSSM AppStopMethodConsole, milliseconds. */
  nssmMs: number;
}

export function stopTimeouts(drainCeilingMs: number | null): StopTimeouts {
  if (drainCeilingMs === null) {
    return { systemd: 'infinity', launchdSeconds: 0, nssmMs: NSSM_INFINITE };
  }
  const ms = drainCeilingMs + STOP_MARGIN_MS;
  const seconds = Math.ceil(ms / 1000);
  return {
    systemd: `${seconds}s`,
    launchdSeconds: seconds,
    nssmMs: Math.min(ms, NSSM_INFINITE - 1),
  };
}
