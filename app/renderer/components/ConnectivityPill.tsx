import { pillLatency, verdictLabel } from '../model/format.ts';
import { useActions, useApp } from '../store-context.tsx';

const TONE = { online: 'ok', 'api-unreachable': 'warn', offline: 'bad', unknown: 'neutral' };

export function ConnectivityPill() {
  const current = useApp((s) => s.connectivity.current);
  const { openConnectivity } = useActions();
  const verdict = current?.verdict ?? 'unknown';
  const latency = pillLatency(current);
  const label = verdictLabel(current?.verdict);
  // Its name is what it shows, then what it does (WCAG 2.5.3: the name starts with the label).
  return (
    <button
      type="button"
      className={`pill tone-${TONE[verdict]}`}
      onClick={openConnectivity}
      title="Network connectivity: open the history"
    >
      <span className="dot" aria-hidden="true" />
      net: {label}
      {latency !== null && <span className="muted"> {Math.round(latency)} ms</span>}
      <span className="sr-only">, open the connectivity history</span>
    </button>
  );
}
