// The version pill's content: the orchestrator's version and what can be done about updates. A
// desktop app (desktopUpdate present) updates from its release feed and restarts into it; a
// server daemon installs the newer npm release the API announces.
import { compareVersions, type SelfStatus } from '../../shared/index.ts';

export type SelfPill =
  /** Nothing to do: the version, and when it was checked. */
  | { kind: 'current'; text: string; title: string }
  /** Something is under way (a check, a download, a restart). */
  | { kind: 'busy'; text: string; title: string }
  /** An update to apply: the button's label says how. */
  | { kind: 'update'; text: string; title: string; button: 'Update now' | 'Restart to update' }
  /** Updates do not come from here, or the last check failed: a click says why, plainly. */
  | { kind: 'explain'; text: string; title: string; explain: string };

export function selfPill(self: SelfStatus, checked: string): SelfPill {
  const v = `v${self.version}`;
  const d = self.desktopUpdate;
  if (d) {
    switch (d.state) {
      case 'ready':
        return {
          kind: 'update',
          text: `${v} → v${d.version}`,
          title: `v${d.version} is downloaded; restarting keeps the workers running`,
          button: 'Restart to update',
        };
      case 'downloading':
        return {
          kind: 'busy',
          text: `${v} · downloading v${d.version} (${d.percent ?? 0}%)`,
          title: 'the update downloads in the background',
        };
      case 'restarting':
        return { kind: 'busy', text: `restarting into v${d.version}…`, title: '' };
      case 'checking':
        return { kind: 'busy', text: `${v} · checking…`, title: 'checking for updates' };
      case 'unsupported':
        return {
          kind: 'explain',
          text: `${v} · no self-update`,
          title: d.message ?? '',
          explain: d.message ?? 'This build cannot update itself.',
        };
      case 'error':
        return {
          kind: 'explain',
          text: `${v} · update check failed`,
          title: d.message ?? '',
          explain: `The last update check failed: ${d.message ?? 'unknown error'}`,
        };
      default:
        return { kind: 'current', text: v, title: 'up to date' };
    }
  }
  const newer =
    self.stale && self.latest !== null && (compareVersions(self.latest, self.version) ?? 1) > 0;
  if (!newer) return { kind: 'current', text: v, title: `up to date · ${checked}` };
  return {
    kind: 'update',
    text: `${v} → v${self.latest}`,
    title: `v${self.latest} is available · ${checked}`,
    button: 'Update now',
  };
}
