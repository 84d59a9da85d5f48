// Typed control client (CLI, attached desktop app): commands from the contract table, errors as
// CommandError, the owner found through its runtime record. The token leaves only after the
// server has proven it holds the token too (proof.ts): a squatter on the port learns nothing.
import type WebSocket from 'ws';
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
import { loopbackRequest } from './loopback-http.ts';
import { PROOF_PATH, ProofAnswer, newChallenge, proofMatches } from './proof.ts';

export interface ControlClientOptions {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  token: string;
}

/** Bounds the proof exchange: a listener that accepts and never answers costs us this much. */
const PROOF_TIMEOUT_MS = 5_000;

export interface ControlClient {
  readonly baseUrl: string;
  /**
   * Resolves once the server has proven it holds the token (asked once per client; every call
   * and subscription waits for it). Rejects with `unavailable` when nothing answers and with
   * `forbidden` when something answers without the proof; the token was not sent either way.
   */
  verify(): Promise<void>;
  call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  /** Subscribe to event frames; returns a close function. Frames that fail the schema are skipped. */
  events(onFrame: (frame: EventFrame) => void, onClose?: (reason: string) => void): () => void;
}

async function proveServer(base: string, token: string): Promise<void> {
  const port = Number(new URL(base).port);
  const challenge = newChallenge();
  let res;
  try {
    res = await loopbackRequest(
      `${base}${PROOF_PATH}?${new URLSearchParams({ challenge }).toString()}`,
      { method: 'GET', headers: { accept: 'application/json' }, timeoutMs: PROOF_TIMEOUT_MS },
    );
  } catch (e) {
    throw new CommandError(
      'unavailable',
      `can't reach the orchestrator at ${base}: ${(e as Error).message}`,
    );
  }
  let answer: unknown = null;
  try {
    answer = JSON.parse(res.body);
  } catch {
    // Not JSON: not our daemon, reported below.
  }
  const proof = ProofAnswer.safeParse(answer);
  if (
    res.status !== 200 ||
    !proof.success ||
    !proofMatches(proof.data.proof, token, port, challenge)
  )
    throw new CommandError(
      'forbidden',
      `the process listening on ${base} could not prove it holds this host's local token (not our daemon, or one of another PIPEDAI_HOME); the token was not sent to it`,
    );
}

export function createControlClient(opts: ControlClientOptions): ControlClient {
  const base = opts.baseUrl.replace(/\/+$/, '');
  let proven: Promise<void> | null = null;
  const verify = (): Promise<void> => {
    if (!proven) {
      const attempt = proveServer(base, opts.token);
      // A failed proof is asked again next time (the daemon may have been starting).
      attempt.catch(() => {
        if (proven === attempt) proven = null;
      });
      proven = attempt;
    }
    return proven;
  };
  return {
    baseUrl: base,
    verify,
    async call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      await verify();
      const spec = httpRequestFor(name, input);
      let res;
      try {
        res = await loopbackRequest(`${base}${spec.url}`, {
          method: spec.method,
          body: spec.body,
          headers: {
            authorization: `Bearer ${opts.token}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          // The contract says how long each command may take (a drain: as long as the run).
          timeoutMs: commands[name].timeoutMs,
        });
      } catch (e) {
        throw new CommandError(
          'unavailable',
          `can't reach the orchestrator at ${base}: ${(e as Error).message}`,
        );
      }
      return decodeAnswer(name, res.status, res.body);
    },
    events(onFrame, onClose) {
      let ws: WebSocket | null = null;
      let closed = false;
      // ws loads with the first subscription: a command that only calls never pays for it.
      const open = async (): Promise<void> => {
        const { default: WebSocketClient } = await import('ws');
        if (closed) return;
        const url = `${base.replace(/^http/, 'ws')}/api/events`;
        const socket = new WebSocketClient(url, {
          headers: { authorization: `Bearer ${opts.token}` },
          maxPayload: 16 * 1024 * 1024,
        });
        ws = socket;
        socket.on('message', (data: Buffer) => {
          try {
            const frame = EventFrame.safeParse(JSON.parse(data.toString('utf8')));
            if (frame.success) onFrame(frame.data);
          } catch {
            // Not JSON: ignore.
          }
        });
        socket.on('close', (code) => onClose?.(`closed (${code})`));
        socket.on('error', (e) => onClose?.(e.message));
      };
      verify()
        .then(() => (closed ? undefined : open()))
        .then(
          () => undefined,
          (e: unknown) => {
            if (!closed) onClose?.((e as Error).message);
          },
        );
      return () => {
        closed = true;
        ws?.close();
      };
    },
  };
}
