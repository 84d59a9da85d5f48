// Typed control client (CLI, attached desktop app): commands from the contract table, errors as
// CommandError, the owner found through its runtime record.
import got from 'got';
import WebSocket from 'ws';
import {
  CommandError,
  EventFrame,
  commands,
  decodeAnswer,
  httpRequestFor,
  type CommandInput,
  type CommandName,
  type CommandOutput,
} from '../../shared/index.ts';

export interface ControlClientOptions {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  token: string;
}

export interface ControlClient {
  readonly baseUrl: string;
  call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  /** Subscribe to event frames; returns a close function. Frames that fail the schema are skipped. */
  events(onFrame: (frame: EventFrame) => void, onClose?: (reason: string) => void): () => void;
}

export function createControlClient(opts: ControlClientOptions): ControlClient {
  const base = opts.baseUrl.replace(/\/+$/, '');
  return {
    baseUrl: base,
    async call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      const spec = httpRequestFor(name, input);
      let res;
      try {
        res = await got(`${base}${spec.url}`, {
          method: spec.method,
          body: spec.body,
          headers: {
            authorization: `Bearer ${opts.token}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          throwHttpErrors: false,
          retry: { limit: 0 },
          // The contract says how long each command may take (a drain: as long as the run).
          timeout: commands[name].timeoutMs === null ? {} : { request: commands[name].timeoutMs },
          followRedirect: false,
        });
      } catch (e) {
        throw new CommandError(
          'unavailable',
          `can't reach the orchestrator at ${base}: ${(e as Error).message}`,
        );
      }
      return decodeAnswer(name, res.statusCode, res.body);
    },
    events(onFrame, onClose) {
      const url = `${base.replace(/^http/, 'ws')}/api/events`;
      const ws = new WebSocket(url, {
        headers: { authorization: `Bearer ${opts.token}` },
        maxPayload: 16 * 1024 * 1024,
      });
      ws.on('message', (data: Buffer) => {
        try {
          const frame = EventFrame.safeParse(JSON.parse(data.toString('utf8')));
          if (frame.success) onFrame(frame.data);
        } catch {
          // Not JSON: ignore.
        }
      });
      ws.on('close', (code) => onClose?.(`closed (${code})`));
      ws.on('error', (e) => onClose?.(e.message));
      return () => ws.close();
    },
  };
}
