// Reconnect delays for the event stream: exponential with jitter, capped, so many dashboards
// that lost the same daemon (a self-update restart) do not come back in lock-step.

export const RECONNECT_BASE_MS = 500;
export const RECONNECT_CAP_MS = 10_000;

/** Delay before reconnect attempt `attempt` (0-based): between half and all of min(cap, base·2^n). */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** Math.min(attempt, 20));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
