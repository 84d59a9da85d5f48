// Wires the emulator's parts around one model. Everything here is in memory; index.ts adds the
// HTTP server, persistence and timers.
import { createEnrollment, type Enrollment } from './enrollment.ts';
import { createFaults, type Faults } from './faults.ts';
import { createRuns, type Runs } from './runs.ts';
import { createSseHub, type SseHub } from './sse.ts';
import type { Model } from './state.ts';
import { createTokenBook, type TokenBook } from './tokens.ts';
import { createWorkers, type Workers } from './workers.ts';

export interface CoreSettings {
  deviceIntervalSec: number;
  deviceTtlSec: number;
  heartbeatTtlMs: number;
  keepAliveMs: number;
  registrationTokenTtlMs: number;
}

export interface Core {
  model: Model;
  now: () => number;
  /** The emulator's own base URL (known once it listens). */
  url: () => string;
  settings: CoreSettings;
  tokens: TokenBook;
  workers: Workers;
  runs: Runs;
  enrollment: Enrollment;
  sse: SseHub;
  faults: Faults;
  /** Something in the model changed: persist soon. */
  changed: () => void;
}

export function createCore(deps: {
  model: Model;
  now: () => number;
  url: () => string;
  settings: CoreSettings;
  changed: () => void;
}): Core {
  const { model, now, changed, settings } = deps;
  const sse = createSseHub({ keepAliveMs: settings.keepAliveMs, now });
  const tokens = createTokenBook(model, now, changed);
  const runs = createRuns({ model, now, heartbeatTtlMs: settings.heartbeatTtlMs, sse, changed });
  const workers = createWorkers({
    model,
    now,
    heartbeatTtlMs: settings.heartbeatTtlMs,
    tokens,
    sse,
    changed,
    onRemoved: (worker) => runs.cancelQueued(worker),
  });
  const enrollment = createEnrollment({
    model,
    now,
    url: deps.url,
    tokens,
    workers,
    deviceIntervalSec: settings.deviceIntervalSec,
    deviceTtlSec: settings.deviceTtlSec,
    changed,
  });
  const faults = createFaults({ now });
  return {
    model,
    now,
    url: deps.url,
    settings,
    tokens,
    workers,
    runs,
    enrollment,
    sse,
    faults,
    changed,
  };
}
