import type { FusedWorker } from '../../shared/index.ts';
import { WorkerRow } from './WorkerRow.tsx';

export function WorkersTable({ workers }: { workers: FusedWorker[] }) {
  return (
    <section className="card table-card" aria-label="Workers">
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
