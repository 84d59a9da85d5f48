import { useLayoutEffect, useRef } from 'react';
import type { FusedWorker } from '../../shared/index.ts';
import { WorkerRow } from './WorkerRow.tsx';

export function WorkersTable({ workers }: { workers: FusedWorker[] }) {
  const section = useRef<HTMLElement>(null);
  const shown = useRef<string[]>([]);
  // A row that held the keyboard went (a deleted worker): on to the row that took its place, or
  // the table itself, never <body>.
  useLayoutEffect(() => {
    const before = shown.current;
    shown.current = workers.map((w) => w.id);
    const gone = before.findIndex((id) => !shown.current.includes(id));
    const active = document.activeElement;
    if (gone < 0 || (active && active !== document.body)) return;
    const rows = section.current?.querySelectorAll('tbody tr') ?? [];
    const next = rows[Math.min(gone, rows.length - 1)];
    (next?.querySelector<HTMLElement>('button:enabled') ?? section.current)?.focus();
  }, [workers]);

  return (
    <section
      ref={section}
      className="card table-card"
      aria-label="Workers"
      tabIndex={-1}
      data-focus-scope
    >
      <table className="workers">
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">Mode</th>
            <th scope="col">Local</th>
            <th scope="col">Remote</th>
            <th scope="col">Version</th>
            <th scope="col">Runtime</th>
            <th scope="col">CPU</th>
            <th scope="col">Memory</th>
            <th scope="col">Last event</th>
            <th scope="col" className="actions-col">
              Actions
            </th>
          </tr>
        </thead>
        <tbody>
          {workers.map((w) => (
            <WorkerRow key={w.id} worker={w} />
          ))}
        </tbody>
      </table>
    </section>
  );
}
