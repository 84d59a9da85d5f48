import { useActions, useApp } from '../store-context.tsx';

export function NoticeBar() {
  const notice = useApp((s) => s.notice);
  const { dismissNotice } = useActions();
  if (!notice) return null;
  return (
    <div className={`notice tone-${notice.tone}`} role={notice.tone === 'err' ? 'alert' : 'status'}>
      <span>{notice.text}</span>
      <button type="button" className="icon-btn" aria-label="Dismiss" onClick={dismissNotice}>
        ×
      </button>
    </div>
  );
}
