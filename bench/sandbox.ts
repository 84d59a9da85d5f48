// The API emulator both daemons talk to, as a child process, and the few controls the bench uses.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { WorkerRegisterResponse } from '../sandbox/protocol.ts';
import { exited, spawnTracked, stopChild } from './procs.ts';

export interface Sandbox {
  readonly url: string;
  readonly child: ChildProcess;
  /** POST /sandbox/tokens: a one-time wrk_ or an operator pwk_. */
  mintToken(kind: 'wrk' | 'pwk'): Promise<string>;
  /** POST /api/v1/worker/register, as `pipedai-worker register` does. */
  registerWorker(token: string, hostname: string): Promise<WorkerRegisterResponse>;
  /** Heartbeats each worker has sent so far (GET /sandbox/state). */
  heartbeats(): Promise<Map<string, number>>;
  /** Heartbeats one worker has sent so far. */
  heartbeatsOf(workerId: string): Promise<number>;
  close(): Promise<void>;
}

const LISTENING = /^PipedAI sandbox API listening on (http:\/\/127\.0\.0\.1:\d+)$/;
const TokenAnswer = z.object({ token: z.string().min(1) });
const WorkerView = z.object({ id: z.string(), heartbeats: z.number().int() });
const StateAnswer = z.object({ workers: z.array(WorkerView) });

export async function startSandbox(opts: {
  node: string;
  entry: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
}): Promise<Sandbox> {
  const child = spawnTracked(
    opts.node,
    [opts.entry, 'api', '--port', '0', '--state', opts.stateDir],
    {
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sandbox API did not start in 20 s')), 20_000);
    lines.on('line', (line) => {
      const m = LISTENING.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited(child).then(() => {
      clearTimeout(timer);
      reject(new Error(`sandbox API exited before listening: ${stderr.trim()}`));
    });
  });

  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok)
      throw new Error(`sandbox ${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as unknown;
  };

  return {
    url,
    child,
    async mintToken(kind) {
      return TokenAnswer.parse(await call('POST', '/sandbox/tokens', { kind })).token;
    },
    async registerWorker(token, hostname) {
      const body = { token, hostname, pool: false, authMode: 'claude-max', version: '1.4.2' };
      return WorkerRegisterResponse.parse(await call('POST', '/api/v1/worker/register', body));
    },
    async heartbeats() {
      const state = StateAnswer.parse(await call('GET', '/sandbox/state'));
      return new Map(state.workers.map((w) => [w.id, w.heartbeats]));
    },
    async heartbeatsOf(workerId) {
      const view = WorkerView.parse(
        await call('GET', `/sandbox/workers/${encodeURIComponent(workerId)}`),
      );
      return view.heartbeats;
    },
    async close() {
      await stopChild(child, 'SIGTERM', 5000);
    },
  };
}
