// The renderer's only door to the daemon. Two implementations: the browser bridge (fetch +
// one WebSocket against the control server) and the preload bridge (Electron's contextBridge).
// The preload exposes exactly this interface as `window.pipedai`.
import type { CommandInput, CommandName, CommandOutput } from './commands.ts';
import type { EventFrame } from './events.ts';

/**
 * Where the event stream stands. `unauthorized` is final: the token was rejected and only a new
 * dashboard URL (`pipedai-orchestrator dashboard --open`) fixes it. The preload never reports it.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

export type FrameListener = (frame: EventFrame) => void;
export type ConnectionListener = (state: ConnectionState) => void;

export interface Bridge {
  /**
   * Run one command of the contract table (`app/shared/commands.ts`). Resolves with the
   * command's output; rejects with a `CommandError` (`code`, `message` safe to show, `field` for
   * a 400). A preload implementation may reject with a plain `ErrorBody` `{error, code, field?}`
   * instead (Error subclasses lose their properties across contextBridge); the renderer
   * normalises either.
   */
  invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  /**
   * Receive every event frame (`app/shared/events.ts`). On each (re)connect the daemon first
   * sends a snapshot (`status`, then `connectivity` when a sample exists). Returns unsubscribe.
   */
  subscribe(onFrame: FrameListener): () => void;
  /** Connection changes; the current state is reported at once. Returns unsubscribe. */
  onConnection(cb: ConnectionListener): () => void;
}
