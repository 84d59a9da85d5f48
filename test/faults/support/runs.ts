// A sandbox run for a fault test: queued for one worker, waited for until the worker claims it,
// and its status read back from the emulator.
import type { ControlClient } from './control.ts';
import { waitFor } from './control.ts';
import type { Fixture } from './fixture.ts';

export interface ClaimedRun {
  runId: string;
  /** When the worker claimed it (as the test saw it). */
  claimedAt: number;
  status(): Promise<string>;
}

export async function claimedRun(
  fx: Fixture,
  workerId: string,
  durationMs: number,
  events = 10,
): Promise<ClaimedRun> {
  const r = await fx.sandbox('POST', '/sandbox/runs', { workerId, durationMs, events });
  if (r.status !== 201) throw new Error(`POST /sandbox/runs → ${r.status}`);
  const runId = (r.body as { runId: string }).runId;
  const status = async (): Promise<string> =>
    ((await fx.sandbox('GET', `/sandbox/runs/${runId}`)).body as { status: string }).status;
  await waitFor(`run ${runId} claimed`, async () => (await status()) === 'running');
  return { runId, claimedAt: Date.now(), status };
}

/** The pid of the daemon's first worker, once it runs. */
export function firstWorkerPid(api: ControlClient): Promise<number> {
  return waitFor('the worker running', async () => {
    const w = (await api.workers())[0];
    return w?.local?.state === 'running' ? w.local.pid : null;
  });
}
