// The Electron window's bridge: `window.pipedai` (the preload's contextBridge API) behind the
// same checks as the browser bridge, so the renderer sees one behaviour whatever the door.
import {
  EventFrame,
  decodeOutput,
  type CommandInput,
  type CommandName,
  type CommandOutput,
} from '../../shared/index.ts';
import { toCommandError } from './errors.ts';
import type { Bridge } from '../../shared/bridge.ts';

export function createPreloadBridge(api: Bridge): Bridge {
  return {
    async invoke<N extends CommandName>(
      name: N,
      input: CommandInput<N>,
    ): Promise<CommandOutput<N>> {
      let out: unknown;
      try {
        out = await api.invoke(name, input);
      } catch (e) {
        throw toCommandError(e);
      }
      return decodeOutput(name, out);
    },
    subscribe(onFrame) {
      return api.subscribe((raw) => {
        const frame = EventFrame.safeParse(raw);
        if (frame.success) onFrame(frame.data);
      });
    },
    onConnection(cb) {
      return api.onConnection(cb);
    },
  };
}
