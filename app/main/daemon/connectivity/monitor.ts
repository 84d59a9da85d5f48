// Connectivity monitor (contract §8.9): probes every API in the manifest and a neutral internet
// target, keeps a bounded in-memory history and appends NDJSON to a rotating log.
import { appendFile, chmod, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApiProbe, ConnectivitySample, Probe, Verdict } from '../../../shared/index.ts';
import { errorMessage } from '../../../shared/index.ts';

export const HISTORY_SIZE = 500;
export const LOG_ROTATE_BYTES = 5 * 1024 * 1024;

export function verdictOf(api: readonly ApiProbe[], internet: Probe): Verdict {
  if (api.length === 0) return internet.ok ? 'online' : 'offline';
  if (api.some((p) => p.ok)) return 'online';
  return internet.ok ? 'api-unreachable' : 'offline';
}

export interface ConnectivityMonitorOptions {
  apiUrls: () => string[];
  probeApi: (apiUrl: string) => Promise<Probe>;
  probeInternet: () => Promise<Probe>;
  /** connectivity.log, or null to keep samples in memory only. */
  logFile: string | null;
  intervalMs?: number;
  onSample?: (sample: ConnectivitySample) => void;
  now?: () => number;
}

export interface ConnectivityMonitor {
  start(): void;
  /** Probe now (also used by the periodic timer); concurrent calls share one probe round. */
  probe(): Promise<ConnectivitySample>;
  current(): ConnectivitySample | null;
  history(tail?: number): ConnectivitySample[];
  stop(): void;
}

export function createConnectivityMonitor(opts: ConnectivityMonitorOptions): ConnectivityMonitor {
  const now = opts.now ?? Date.now;
  const ring: ConnectivitySample[] = [];
  let timer: ReturnType<typeof setInterval> | null = null;
  let inFlight: Promise<ConnectivitySample> | null = null;

  const failed = (e: unknown): Probe => ({
    ok: false,
    latencyMs: null,
    status: null,
    error: errorMessage(e),
  });

  async function round(): Promise<ConnectivitySample> {
    const urls = [...new Set(opts.apiUrls())];
    const [api, internet] = await Promise.all([
      Promise.all(
        urls.map(async (url): Promise<ApiProbe> => ({
          ...(await opts.probeApi(url).catch(failed)),
          url,
        })),
      ),
      opts.probeInternet().catch(failed),
    ]);
    const sample: ConnectivitySample = {
      ts: now(),
      verdict: verdictOf(api, internet),
      api,
      internet,
    };
    ring.push(sample);
    if (ring.length > HISTORY_SIZE) ring.splice(0, ring.length - HISTORY_SIZE);
    if (opts.logFile) await appendSample(opts.logFile, sample).catch(() => undefined); // best-effort
    try {
      opts.onSample?.(sample);
    } catch {
      // A consumer's bug must not stop the monitor.
    }
    return sample;
  }

  const probe = (): Promise<ConnectivitySample> => {
    inFlight ??= round().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  return {
    start() {
      if (timer) return;
      void probe();
      timer = setInterval(() => void probe(), opts.intervalMs ?? 20_000);
      timer.unref();
    },
    probe,
    current: () => ring.at(-1) ?? null,
    history: (tail) => (tail === undefined ? ring.slice() : ring.slice(-tail)),
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/** Append one NDJSON line; rotate to `.1` first when the file exceeds the limit (§4.7). 0600. */
export async function appendSample(
  file: string,
  sample: ConnectivitySample,
  rotateBytes = LOG_ROTATE_BYTES,
): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    if ((await stat(file)).size > rotateBytes) await rename(file, `${file}.1`);
  } catch {
    // Missing file: nothing to rotate.
  }
  await appendFile(file, `${JSON.stringify(sample)}\n`, { mode: 0o600 });
  await chmod(file, 0o600).catch(() => undefined);
}
