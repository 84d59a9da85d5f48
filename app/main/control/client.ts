// Typed control client (CLI, attached desktop app): commands from the contract table, errors as
// CommandError, the owner found through its runtime record.
import got from 'got';
import WebSocket from 'ws';
import {
  CommandError,
  EventFrame,
  commands,
  httpRequestFor,
  isCommandErrorCode,
  type CommandInput,
  type CommandName,
  type CommandOutput,
} from '../../shared/index.ts';

export interface ControlClientOptions {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  token: string;
  /** Per-request timeout; long commands (upgrades) pass their own. */
  timeoutMs?: number;
}

export interface ControlClient {
  readonly baseUrl: string;
  /** `timeoutMs: null`: no limit (a drain waits for the run, however long). */
  call<N extends CommandName>(
    name: N,
    input: CommandInput<N>,
    opts?: { timeoutMs?: number | null },
  ): Promise<CommandOutput<N>>;
  /** Subscribe to event frames; returns a close function. Frames that fail the schema are skipped. */
  events(onFrame: (frame: EventFrame) => void, onClose?: (reason: string) => void): () => void;
}

export function createControlClient(opts: ControlClientOptions): ControlClient {
  const base = opts.baseUrl.replace(/\/+$/, '');
  return {
    baseUrl: base,
    async call<N extends CommandName>(
      name: N,
      input: CommandInput<N>,
      callOpts?: { timeoutMs?: number | null },
    ): Promise<CommandOutput<N>> {
      const spec = httpRequestFor(name, input);
      const timeoutMs =
        callOpts?.timeoutMs === undefined ? (opts.timeoutMs ?? 30_000) : callOpts.timeoutMs;
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
          timeout: timeoutMs === null ? {} : { request: timeoutMs },
          followRedirect: false,
        });
      } catch (e) {
        throw new CommandError(
          'unavailable',
          `can't reach the orchestrator at ${base}: ${(e as Error).message}`,
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        throw new CommandError(
          'upstream',
          `the orchestrator answered ${res.statusCode} with a non-JSON body`,
        );
      }
      if (res.statusCode >= 400) {
        const b = (body ?? {}) as { error?: unknown; code?: unknown; field?: unknown };
        const code = isCommandErrorCode(b.code)
          ? b.code
          : res.statusCode === 401
            ? 'unauthorized'
            : 'internal';
        throw new CommandError(
          code,
          typeof b.error === 'string' ? b.error : `HTTP ${res.statusCode}`,
          typeof b.field === 'string' ? b.field : undefined,
        );
      }
      const parsed = commands[name].output.safeParse(body);
      if (!parsed.success)
        throw new CommandError(
          'upstream',
          `the orchestrator's answer to ${name} did not match the contract`,
        );
      return parsed.data as CommandOutput<N>;
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
