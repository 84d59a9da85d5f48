// The IPC channels between the preload and the shell's IPC door. Both sides import these names;
// this file has no imports at runtime, so the sandboxed preload bundles it as is.
import type { ErrorBody } from './errors.ts';

export const IPC = {
  /** invoke(name, input) → IpcResult<output>: one command of the contract table. */
  invoke: 'pipedai:invoke',
  /** invoke() → IpcResult<EventFrame[]>: the frames that draw the present. */
  snapshot: 'pipedai:snapshot',
  /** invoke() → IpcResult<LinkState>: where the link to the daemon stands now. */
  connection: 'pipedai:connection',
  /** main → window: event frames, in order (those of one moment in one message: a log burst). */
  frame: 'pipedai:frame',
  /** main → window: the link's new state. */
  connectionChanged: 'pipedai:connection-changed',
} as const;

/**
 * What every invoke channel answers. The door never throws across IPC: Electron would flatten
 * the error to a message, and contextBridge drops an Error's own properties (code, field).
 */
export type IpcResult<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** The link's states as the renderer's Bridge names them (the preload never reports `unauthorized`). */
export type LinkState = 'connecting' | 'open' | 'reconnecting';
