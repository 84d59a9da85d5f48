// A row's lifecycle buttons and the inline result of the last one. While a command runs its button
// is disabled, and once done another may take its place (Stop becomes Start): the keyboard goes to
// the row's status message meanwhile, then to that replacement button, never to <body>.
import { useLayoutEffect, useRef } from 'react';
import type { FusedWorker } from '../../shared/index.ts';
import { focusAfterVerb } from '../model/focus.ts';
import { VERBS, upgradeTarget, verbsFor, type Verb } from '../model/workers.ts';
import { useActions, useApp } from '../store-context.tsx';

/** Focus was let go (to <body>), or sits on this cell's message or on a button now disabled. */
function focusIsAdrift(cell: HTMLElement): boolean {
  const active = document.activeElement;
  if (!active || active === document.body) return true;
  if (!cell.contains(active)) return false;
  return active.matches('.row-result') || (active as HTMLButtonElement).disabled === true;
}

export function RowActions({ worker: w }: { worker: FusedWorker }) {
  const row = useApp((s) => s.rows[w.id]);
  const offline = useApp((s) => s.connection !== 'open');
  const { requestVerb, dismissRowResult } = useActions();
  const pending = row?.pending ?? null;
  const verbs = verbsFor(w);
  const cell = useRef<HTMLTableCellElement>(null);
  const status = useRef<HTMLDivElement>(null);
  const result = useRef<HTMLDivElement>(null);
  /** The verb whose outcome the keyboard follows, from the moment it started. */
  const following = useRef<Verb | null>(null);

  // Layout effect: in the same commit that took the focused element away, so focus is never seen
  // on <body>. It follows the verb until focus is somewhere else of the user's choosing.
  useLayoutEffect(() => {
    const el = cell.current;
    if (!el) return;
    if (pending) following.current = pending;
    const verb = following.current;
    if (!verb) return;
    const active = document.activeElement;
    if (!pending && active && active !== document.body && !el.contains(active)) {
      following.current = null; // the user moved on
      return;
    }
    if (!focusIsAdrift(el)) return;
    if (pending) return status.current?.focus();
    if (row?.result && !row.result.ok) {
      following.current = null;
      return result.current?.focus();
    }
    const target = focusAfterVerb(verb, verbs);
    const button = target && el.querySelector<HTMLButtonElement>(`button[data-verb="${target}"]`);
    if (button && !button.disabled) button.focus();
    else result.current?.focus();
  });

  return (
    <td className="actions-col" ref={cell} data-focus-scope>
      <div className="actions">
        {verbs.map((verb) => {
          const info = VERBS[verb];
          const busy = pending === verb;
          const shown = busy ? info.progress : info.label;
          // A stop waits for the run to drain; Force stop must stay reachable meanwhile.
          const blocked = pending !== null && !(verb === 'force-stop' && pending !== verb);
          return (
            <button
              key={verb}
              type="button"
              data-verb={verb}
              className={`btn small${info.danger ? ' danger' : ''}${verb === 'upgrade' ? ' warn' : ''}`}
              disabled={blocked || offline}
              aria-label={`${shown} ${w.label}`}
              title={verb === 'upgrade' ? `Upgrade to v${upgradeTarget(w) ?? '?'}` : undefined}
              onClick={() => requestVerb(w.id, verb)}
            >
              {shown}
            </button>
          );
        })}
      </div>
      {pending && (
        <div className="row-result muted" role="status" tabIndex={-1} ref={status}>
          <span className="spinner" aria-hidden="true" /> {VERBS[pending].progress}
        </div>
      )}
      {row?.result && (
        <div
          className={`row-result ${row.result.ok ? 'ok-text' : 'err-text'}`}
          role={row.result.ok ? 'status' : 'alert'}
          tabIndex={-1}
          ref={result}
        >
          <span>{row.result.text}</span>
          <button
            type="button"
            className="icon-btn"
            aria-label="Dismiss"
            onClick={() => {
              // The message (and this button) goes: the keyboard stays in the row.
              cell.current?.querySelector<HTMLButtonElement>('button[data-verb]:enabled')?.focus();
              dismissRowResult(w.id);
            }}
          >
            ×
          </button>
        </div>
      )}
    </td>
  );
}
