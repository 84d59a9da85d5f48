// Desktop notifications: shown when the platform supports them, click → what the notice opens.
import { Notification } from 'electron';
import type { NoticeSpec } from './logic/notifications.ts';

/** Notifications are kept referenced until closed, or a click may never arrive (GC); bounded. */
const MAX_KEPT = 10;
const kept: Notification[] = [];

export function showNotice(
  spec: NoticeSpec,
  onClick: (opens: NoticeSpec['opens']) => void,
  icon?: string,
): void {
  if (!Notification.isSupported()) return;
  const n = new Notification({ title: spec.title, body: spec.body, ...(icon ? { icon } : {}) });
  const forget = (): void => {
    const i = kept.indexOf(n);
    if (i >= 0) kept.splice(i, 1);
  };
  n.on('click', () => {
    forget();
    onClick(spec.opens);
  });
  n.on('close', forget);
  kept.push(n);
  if (kept.length > MAX_KEPT) kept.shift();
  n.show();
}
