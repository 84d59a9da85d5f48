// Plays one claimed run: emits its planned events on schedule, as log lines and (with
// PIPEDAI_LOCAL_RUN_EVENTS=1) as NDJSON lines. Never interrupted: a SIGTERM drain waits for it.
// A failing event file is reported once and the run goes on without it, like a real worker
// whose local tee is best-effort.
import type { SimClaimedRun } from './api-client.ts';
import type { Output } from './output.ts';
import { openRunEventFile, type RunEventFile } from './run-event-file.ts';
import { planRunEvents } from './run-events.ts';

/** Events of a run whose claim does not say. */
export const DEFAULT_RUN_EVENTS = 8;

export interface RunPlayerDeps {
  workerId: string;
  home: string;
  localRunEvents: boolean;
  defaultDurationMs: number;
  output: Output;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export async function playRun(
  run: SimClaimedRun,
  deps: RunPlayerDeps,
): Promise<{ events: number }> {
  const durationMs = run.durationMs ?? deps.defaultDurationMs;
  const plan = planRunEvents({
    runId: run.runId,
    prompt: run.prompt,
    durationMs,
    events: run.events ?? DEFAULT_RUN_EVENTS,
  });
  const start = deps.now();
  deps.output.out(`run ${run.runId} claimed: ${plan.length} events over ${durationMs} ms`);

  let file: RunEventFile | null = null;
  if (deps.localRunEvents) {
    try {
      file = await openRunEventFile(deps.home, deps.workerId, run.runId);
    } catch (error) {
      deps.output.err(`run ${run.runId}: cannot open the local event file: ${codeOf(error)}`);
    }
  }

  let seq = 0;
  for (const event of plan) {
    await deps.sleep(start + event.atMs - deps.now());
    seq++;
    if (file) {
      try {
        await file.append({
          seq,
          type: event.type,
          ts: new Date().toISOString(),
          payload: event.payload,
        });
      } catch (error) {
        deps.output.err(
          `run ${run.runId}: local event file failed, no more events written: ${codeOf(error)}`,
        );
        await file.close().catch(() => {});
        file = null;
      }
    }
    deps.output[event.log.stream](event.log.text);
  }
  await deps.sleep(start + durationMs - deps.now());
  await file?.close().catch(() => {});
  return { events: seq };
}

function codeOf(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : String(error);
}
