// A worker whose runtime is not installed waits in needs-runtime: no spawn, no crash loop, no
// backoff; it starts as soon as a later reconcile finds a runtime (the managed runtime's plan).
import { afterEach, expect, it } from 'vitest';
import { backoffPolicy } from './backoff.ts';
import { entry, makeSandbox, waitFor, type Sandbox } from './test-support.ts';
import { binLaunch, createSupervisor, type Supervisor } from './index.ts';

let sandbox: Sandbox | null = null;
let supervisor: Supervisor | null = null;
afterEach(async () => {
  await supervisor?.close({ force: true });
  await sandbox?.cleanup();
});

it('waits in needs-runtime without a crash loop, then starts once a runtime appears', async () => {
  const sb = await makeSandbox();
  sandbox = sb;
  let installed = false;
  const s = createSupervisor({
    paths: sb.paths,
    instanceId: sb.instanceId,
    env: sb.env,
    backoff: backoffPolicy({ unitMs: 20 }),
    plan: () => (installed ? binLaunch(sb.bin) : { problem: 'runtime 1.4.2 is not installed' }),
  });
  supervisor = s;
  const w = entry('w1', await sb.config('w1'));
  await s.reconcile([w]);
  await new Promise((r) => setTimeout(r, 200)); // a crash loop would have restarted by now
  expect(s.status('w1')).toMatchObject({ state: 'needs-runtime', pid: null, restarts: 0 });
  await s.reconcile([w]);
  // Said once in its log, not at every reconcile.
  expect(s.logs('w1').map((l) => l.line)).toEqual([
    '[orchestrator] cannot start: runtime 1.4.2 is not installed',
  ]);
  installed = true;
  await s.reconcile([w]);
  await waitFor('running', () => s.status('w1')?.state === 'running');
});
