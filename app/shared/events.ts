// Event frames pushed to the doors (WebSocket /api/events, IPC). §7.4 plus our own kinds.
import { z } from 'zod';
import { PairingStatus } from './commands.ts';
import { LOGS_FRAME_MAX_LINES } from './log-bounds.ts';
import { RollbackEvent, RuntimeInstall } from './runtime.ts';
import {
  ConnectivitySample,
  FusedWorker,
  LogLine,
  ResourceSample,
  RunEvent,
  SupervisorStatus,
} from './status.ts';

export const StatusFrame = z.object({ kind: z.literal('status'), items: z.array(FusedWorker) });
/**
 * A worker's new output lines, batched: the lines one turn of the daemon's event loop captured
 * (at most LOGS_FRAME_MAX_LINES lines and about LOGS_FRAME_MAX_BYTES of text per frame; more
 * become several frames), oldest first. A client applies a frame as one update.
 */
export const LogsFrame = z.object({
  kind: z.literal('logs'),
  id: z.string(),
  lines: z.array(LogLine).min(1).max(LOGS_FRAME_MAX_LINES),
});

export const ConnectivityFrame = z.object({
  kind: z.literal('connectivity'),
  sample: ConnectivitySample,
});
/** A supervisor state change, pushed at once rather than with the next status tick. */
export const WorkerStateFrame = z.object({
  kind: z.literal('worker-state'),
  status: SupervisorStatus,
});
/** New events appended to a run file. */
export const RunEventsFrame = z.object({
  kind: z.literal('run-events'),
  id: z.string(),
  runId: z.string(),
  items: z.array(RunEvent),
});
/**
 * What this client lost because it read too slowly, since its connection: log lines (a `logs`
 * frame counts its lines) and other frames (one each).
 */
export const DroppedFrame = z.object({
  kind: z.literal('dropped'),
  dropped: z.number().int().nonnegative(),
});

/** A pairing started from the daemon moved (approved, failed). */
export const PairingFrame = z.object({
  kind: z.literal('pairing'),
  pairingId: z.string(),
  status: PairingStatus,
});

/** The worker runtime install moved (phase, done, failed). */
export const RuntimeFrame = z.object({ kind: z.literal('runtime'), install: RuntimeInstall });
/** A worker went back to its previous runtime (by itself after a crash loop, or on request). */
export const RollbackFrame = z.object({ kind: z.literal('rollback'), rollback: RollbackEvent });

/** The resource sampler's latest tick (every few seconds while any worker runs). */
export const ResourcesFrame = z.object({ kind: z.literal('resources'), sample: ResourceSample });

export const EventFrame = z.discriminatedUnion('kind', [
  ResourcesFrame,
  RuntimeFrame,
  RollbackFrame,
  PairingFrame,
  StatusFrame,
  LogsFrame,
  ConnectivityFrame,
  WorkerStateFrame,
  RunEventsFrame,
  DroppedFrame,
]);
export type EventFrame = z.infer<typeof EventFrame>;
export type EventKind = EventFrame['kind'];
export type FrameOf<K extends EventKind> = Extract<EventFrame, { kind: K }>;
