// Live log tail of one worker: stream filter, search, follow, download, lost-lines notices.
import { useEffect, useMemo, useState } from 'react';
import { FilteredView, type StreamFilter } from '../model/log-ring.ts';
import { logFileName, logFileText } from '../model/format.ts';
import { useActions, useApp } from '../store-context.tsx';
import { LogView } from './LogView.tsx';
import { Modal } from './Modal.tsx';

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function LogsDrawer() {
  const logs = useApp((s) => s.logs);
  const wrap = useApp((s) => s.logWrap);
  const { closeDrawer, setLogView, reloadLogs, setLogWrap } = useActions();
  const search = useDebounced(logs?.search ?? '', 150);
  const ring = logs?.ring;
  const stream = logs?.stream ?? 'all';
  const view = useMemo(
    () => (ring ? new FilteredView(ring, { stream, search }) : null),
    [ring, stream, search],
  );
  const rev = logs?.rev ?? 0;
  // Take in new lines whenever the ring changed (cheap: only the new part is scanned).
  const count = useMemo(() => {
    view?.sync();
    return view?.length ?? 0;
  }, [view, rev]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!logs || !view) return null;
  const filtered = stream !== 'all' || search.trim() !== '';
  const evicted = logs.ring.evicted;

  return (
    <Modal
      variant="drawer"
      className="drawer-wide"
      title={`Logs — ${logs.label}`}
      onClose={closeDrawer}
    >
      <div className="toolbar" role="toolbar" aria-label="Log view">
        <label className="inline">
          <span>Stream</span>
          <select
            value={logs.stream}
            onChange={(e) => setLogView({ stream: e.target.value as StreamFilter })}
          >
            <option value="all">all</option>
            <option value="out">stdout</option>
            <option value="err">stderr</option>
          </select>
        </label>
        <input
          type="search"
          className="grow"
          placeholder="Search"
          aria-label="Search the log"
          value={logs.search}
          onChange={(e) => setLogView({ search: e.target.value })}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={logs.follow}
            onChange={(e) => setLogView({ follow: e.target.checked })}
          />
          follow
        </label>
        <label className="check">
          <input type="checkbox" checked={wrap} onChange={(e) => setLogWrap(e.target.checked)} />
          wrap lines
        </label>
        <button
          type="button"
          className="btn"
          disabled={count === 0}
          onClick={() => download(logFileName(logs.label), logFileText(view.lines()))}
          title={filtered ? 'Download the lines shown' : 'Download every line kept here'}
        >
          Download
        </button>
      </div>
      <div className="log-status muted small" aria-live="polite">
        {logs.loading
          ? 'loading…'
          : `${count.toLocaleString()} ${filtered ? `matching of ${logs.ring.size.toLocaleString()} ` : ''}lines`}
        {evicted > 0 && ` · ${evicted.toLocaleString()} older lines let go to keep the view fast`}
      </div>
      {logs.error && (
        <div className="inline-notice tone-err" role="alert">
          Could not load the log tail: {logs.error}
        </div>
      )}
      {(logs.lostLines > 0 || logs.gap) && (
        <div className="inline-notice tone-warn" role="status">
          <span>
            {logs.lostLines > 0
              ? `${logs.lostLines} live lines were lost while the connection fell behind; some lines may be missing.`
              : 'The connection was down for a while; some lines may be missing.'}
          </span>
          <button type="button" className="btn small" onClick={() => void reloadLogs()}>
            Reload
          </button>
        </div>
      )}
      {!logs.loading && count === 0 ? (
        <div className="empty">
          {filtered && logs.ring.size > 0 ? 'no lines match' : 'no output captured yet'}
        </div>
      ) : (
        <LogView
          view={view}
          count={count}
          rev={rev}
          search={search}
          follow={logs.follow}
          onFollowChange={(follow) => setLogView({ follow })}
          wrap={wrap}
        />
      )}
    </Modal>
  );
}
