// A desktop app that could not read the user's login-shell environment says so: workers then
// miss what the shell profile sets (PATH additions, ANTHROPIC_API_KEY, proxies).
import { useApp } from '../store-context.tsx';

export function EnvironmentNote() {
  const env = useApp((s) => s.self?.environment);
  if (!env || env.source !== 'inherited' || !env.note) return null;
  return (
    <div className="inline-notice tone-warn env-note" role="note">
      {env.note}
    </div>
  );
}
