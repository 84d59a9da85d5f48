import { pillLatency, verdictLabel } from '../model/format.ts';
import { useActions, useApp } from '../store-context.tsx';

const TONE = { online: 'ok', 'api-unreachable': 'warn', offline: 'bad', unknown: 'neutral' };

export function ConnectivityPill() {
  const current = useApp((s) => s.connectivity.current);
  const { openConnectivity } = useActions();
  const verdict = current?.verdict ?? 'unknown';
  const latency = pillLatency(current);
  const label = verdictLabel(current?.verdict);
  return (
    <button
      type="button"
      className={`pill tone-${TONE[verdict]}`}
      onClick={openConnectivity}
      title="Network connectivity — open the history"
      aria-label={`Network: ${label}${latency !== null ? `, ${Math.round(latency)} ms` : ''}. Open the connectivity history`}
    >
      <span className="dot" aria-hidden="true" />
      net: {label}
      {latency !== null && <span className="muted"> {Math.round(latency)} ms</span>}
    </button>
  );
}
