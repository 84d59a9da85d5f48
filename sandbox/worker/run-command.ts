// `pipedai-worker run --config <path>`: read the config, start the side effects the knobs ask for
// (grandchildren, chatter, crash timer), run the worker loop until a SIGTERM/SIGINT drain ends it.
import { homedir } from 'node:os';
import { createWorkerApi } from './api-client.ts';
import type { Command } from './args.ts';
import { startChatter } from './chatter.ts';
import { ConfigError, readWorkerConfig } from './config.ts';
import { spawnGrandchildren } from './grandchildren.ts';
import { localRunEventsEnabled, resolveWorkerHome, type Knobs } from './knobs.ts';
import type { Output } from './output.ts';
import { startWorker, type RunningWorker } from './worker-loop.ts';

export async function runCommand(
  command: Extract<Command, { kind: 'run' }>,
  knobs: Knobs,
  env: NodeJS.ProcessEnv,
  output: Output,
): Promise<number> {
  // Signals first: a SIGTERM during start-up must drain too, not kill the process.
  let worker: RunningWorker | null = null;
  let stopBeforeStart: string | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signal === 'SIGTERM' && knobs.ignoreSigterm) {
      output.err('ignoring SIGTERM (PIPEDAI_SIM_IGNORE_SIGTERM=1)');
      return;
    }
    if (worker) worker.stop(`received ${signal}`);
    else stopBeforeStart ??= signal;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const crashTimer =
    knobs.crashAfterMs === null
      ? undefined
      : setTimeout(() => {
          output.err(
            `simulated crash (PIPEDAI_SIM_CRASH_AFTER_MS=${knobs.crashAfterMs}): exiting with code ${knobs.exitCode}`,
          );
          process.exit(knobs.exitCode);
        }, knobs.crashAfterMs);

  let config;
  try {
    config = await readWorkerConfig(command.configPath);
  } catch (error) {
    clearTimeout(crashTimer);
    output.err(`pipedai-worker: ${error instanceof ConfigError ? error.message : String(error)}`);
    return 1;
  }
  if (stopBeforeStart) {
    clearTimeout(crashTimer);
    output.out(`received ${stopBeforeStart} before start: exiting`);
    return 0;
  }

  output.out(
    `pipedai-worker ${knobs.version} starting: worker ${config.workerId}${config.isPool ? ' (pool)' : ''}, api ${config.apiUrl}, heartbeat ${knobs.heartbeatMs} ms, poll ${knobs.pollMs} ms`,
  );
  const grandchildren = spawnGrandchildren(knobs.grandchildren, {
    ignoreSigterm: knobs.ignoreSigterm,
    log: output.out,
  });
  const chatter = startChatter({
    rate: knobs.logRate,
    lineBytes: knobs.logLineBytes,
    bulk: output.bulk,
    now: Date.now,
  });
  worker = startWorker({
    workerId: config.workerId,
    knobs,
    api: createWorkerApi({
      apiUrl: config.apiUrl,
      workerToken: config.workerToken,
      version: knobs.version,
    }),
    output,
    home: resolveWorkerHome(env, homedir),
    localRunEvents: localRunEventsEnabled(env),
  });
  const code = await worker.done;
  clearTimeout(crashTimer);
  chatter.stop();
  await grandchildren.killAll(2000);
  return code;
}
