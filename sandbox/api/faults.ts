// Injected failures for the pipedai-api surface (`/api/…` only; `/sandbox/…` always answers):
// added latency, a share of 503 answers, a share of dropped connections, and outages that cut
// every API connection at once (open SSE streams included) until lifted or timed out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

export const FaultsRequest = z.strictObject({
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  dropRate: z.number().min(0).max(1).optional(),
  outage: z.boolean().optional(),
  /** Outage that lifts itself after this long (implies `outage: true`). */
  outageMs: z.number().int().min(1).max(3_600_000).optional(),
});
export type FaultsRequest = z.infer<typeof FaultsRequest>;

export interface FaultsView {
  latencyMs: number;
  errorRate: number;
  dropRate: number;
  outage: boolean;
  outageEndsAt: string | null;
}

export interface Faults {
  /** Merge: fields given replace their current value, others stay. */
  set(request: FaultsRequest): FaultsView;
  clear(): FaultsView;
  view(): FaultsView;
  /** Remember which connection carries API traffic (an outage cuts exactly those). */
  noteRequest(req: IncomingMessage, isApi: boolean): void;
  /** Before an API request is handled: `false` when the fault already disposed of it. */
  admit(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  dispose(): void;
}

export function createFaults(options: { now: () => number; random?: () => number }): Faults {
  const random = options.random ?? Math.random;
  const apiSockets = new Set<Socket>();
  const watched = new WeakSet<Socket>();
  let latencyMs = 0;
  let errorRate = 0;
  let dropRate = 0;
  let outage = false;
  let outageEndsAt: number | null = null;
  let outageTimer: NodeJS.Timeout | null = null;

  const endOutage = () => {
    outage = false;
    outageEndsAt = null;
    if (outageTimer) clearTimeout(outageTimer);
    outageTimer = null;
  };
  const startOutage = (ms: number | undefined) => {
    endOutage();
    outage = true;
    for (const socket of apiSockets) socket.destroy();
    apiSockets.clear();
    if (ms !== undefined) {
      outageEndsAt = options.now() + ms;
      outageTimer = setTimeout(endOutage, ms);
      outageTimer.unref();
    }
  };
  const view = (): FaultsView => ({
    latencyMs,
    errorRate,
    dropRate,
    outage,
    outageEndsAt: outageEndsAt === null ? null : new Date(outageEndsAt).toISOString(),
  });

  return {
    set(request) {
      if (request.latencyMs !== undefined) latencyMs = request.latencyMs;
      if (request.errorRate !== undefined) errorRate = request.errorRate;
      if (request.dropRate !== undefined) dropRate = request.dropRate;
      if (request.outageMs !== undefined) startOutage(request.outageMs);
      else if (request.outage === true) startOutage(undefined);
      else if (request.outage === false) endOutage();
      return view();
    },
    clear() {
      latencyMs = errorRate = dropRate = 0;
      endOutage();
      return view();
    },
    view,
    noteRequest(req, isApi) {
      const socket = req.socket;
      if (!isApi) {
        apiSockets.delete(socket);
        return;
      }
      apiSockets.add(socket);
      if (!watched.has(socket)) {
        watched.add(socket);
        socket.once('close', () => apiSockets.delete(socket));
      }
    },
    async admit(req, res) {
      if (outage || (dropRate > 0 && random() < dropRate)) {
        req.socket.destroy();
        return false;
      }
      if (latencyMs > 0) await sleep(latencyMs);
      if (outage || req.socket.destroyed) {
        req.socket.destroy(); // the outage began while this request was delayed
        return false;
      }
      if (errorRate > 0 && random() < errorRate) {
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'service_unavailable', message: 'injected fault' }));
        return false;
      }
      return true;
    },
    dispose() {
      endOutage();
    },
  };
}
