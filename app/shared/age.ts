// How long ago, in the largest whole unit. Its own module: the CLI's light entry (`--help`) loads
// it without the contract's schemas.

/** `46s`, `5m`, `3h`, `2d`. */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
