// The daemon's Prometheus metrics (prom-client), read at scrape time from the daemon's own state,
// plus the counters its parts feed as things happen (output captured, API errors, runs ended,
// frames a slow client lost). Labels are a worker's label and id, a state, an outcome, an
// endpoint class, an API host: never a token, a prompt or a path.
import { Counter, Gauge, Registry } from 'prom-client';
import {
  DesiredState,
  RunState,
  Verdict,
  type ConnectivitySample,
  type FusedWorker,
  type LogStream,
  type RunOutcome,
} from '../../../shared/index.ts';

/** What the metrics read at each scrape; given once the orchestrator exists. */
export interface MetricsSources {
  workers(): Promise<FusedWorker[]>;
  connectivity(): ConnectivitySample | null;
}

export interface DaemonMetrics {
  /** `text/plain; version=0.0.4; charset=utf-8` */
  readonly contentType: string;
  /** The exposition text of every metric, read now. */
  text(): Promise<string>;
  attach(sources: MetricsSources): void;
  /** Output read from a worker's capture files. */
  captured(workerId: string, stream: LogStream, bytes: number, lines: number): void;
  /** Output the capture skipped (a backlog past its cap, a file truncated by someone else). */
  skipped(workerId: string, bytes: number): void;
  /** Lines of a `logs` frame a slow control client lost. */
  logLinesDropped(workerId: string, lines: number): void;
  apiError(endpoint: string, kind: string): void;
  runEnded(workerId: string, outcome: RunOutcome): void;
}

export interface BuildInfo {
  version: string;
  node: string;
  platform: string;
}

const PREFIX = 'pipedai_';
/** Bounds on what the fed counters hold: ids are a host's workers, endpoints a fixed few. */
const MAX_KEYS = 10_000;

/** Totals by a key of label values, bounded. */
class Tally {
  readonly #values = new Map<string, number>();
  add(key: string, n: number): void {
    if (!this.#values.has(key) && this.#values.size >= MAX_KEYS) return;
    this.#values.set(key, (this.#values.get(key) ?? 0) + n);
  }
  entries(): IterableIterator<[string, number]> {
    return this.#values.entries();
  }
}

const SEP = '\u0000';

export function createDaemonMetrics(build: BuildInfo): DaemonMetrics {
  const registry = new Registry();
  let sources: MetricsSources | null = null;
  /** Labels by worker id, as of the last scrape (fed counters know only the id). */
  let labels = new Map<string, string>();
  const workerLabels = (id: string) => ({ worker: labels.get(id) ?? id, id });

  const outputBytes = new Tally();
  const outputLines = new Tally();
  const skippedBytes = new Tally();
  const droppedLines = new Tally();
  const apiErrors = new Tally();
  const runs = new Tally();

  /**
   * A counter whose values are the tally's, set at each scrape. `seed`: the keys that exist at 0
   * before anything was counted (every worker's), so a series is there from the first scrape and
   * rate() has a start.
   */
  const tallied = (
    name: string,
    help: string,
    labelNames: string[],
    tally: Tally,
    toLabels: (parts: string[]) => Record<string, string> | null,
    seed: () => string[][] = () => [],
  ): void => {
    new Counter({
      name: PREFIX + name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const parts of seed()) {
          const l = toLabels(parts);
          if (l) this.inc(l, 0);
        }
        for (const [key, n] of tally.entries()) {
          const l = toLabels(key.split(SEP));
          if (l) this.inc(l, n);
        }
      },
    });
  };
  /** Every known worker's key, with each of `suffixes` (none: the id alone). */
  const everyWorker =
    (...suffixes: string[]) =>
    (): string[][] =>
      [...labels.keys()].flatMap((id) =>
        suffixes.length === 0 ? [[id]] : suffixes.map((s) => [id, s]),
      );
  const byWorker = (extra: string[]) => (parts: string[]) => {
    const [id, ...rest] = parts;
    if (id === undefined || !labels.has(id)) return null; // a worker since deleted
    return { ...workerLabels(id), ...Object.fromEntries(extra.map((k, i) => [k, rest[i] ?? ''])) };
  };

  let workers: FusedWorker[] = [];
  const perWorker = (
    name: string,
    help: string,
    value: (w: FusedWorker) => number | null,
    kind: 'gauge' | 'counter' = 'gauge',
  ): void => {
    const Metric = kind === 'gauge' ? Gauge : Counter;
    new Metric({
      name: PREFIX + name,
      help,
      labelNames: ['worker', 'id'],
      registers: [registry],
      collect(this: Gauge | Counter) {
        this.reset();
        for (const w of workers) {
          const v = value(w);
          if (v !== null) (this as Gauge).inc({ worker: w.label, id: w.id }, v);
        }
      },
    });
  };
  const oneHot = (
    name: string,
    help: string,
    states: readonly string[],
    of: (w: FusedWorker) => string,
  ) =>
    new Gauge({
      name: PREFIX + name,
      help,
      labelNames: ['worker', 'id', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const w of workers)
          for (const state of states)
            this.set({ worker: w.label, id: w.id, state }, of(w) === state ? 1 : 0);
      },
    });

  new Gauge({
    name: PREFIX + 'workers',
    help: 'Workers this orchestrator manages.',
    registers: [registry],
    collect() {
      this.set(workers.length);
    },
  });
  oneHot(
    'worker_state',
    'The supervisor state of each worker (1 for the current one); unknown before the first reconcile.',
    [...RunState.options, 'unknown'],
    (w) => w.local?.state ?? 'unknown',
  );
  oneHot(
    'worker_desired_state',
    'What each worker should be: enabled or disabled.',
    DesiredState.options,
    (w) => w.desiredState,
  );
  perWorker(
    'worker_restarts_total',
    'Restarts of each worker since this daemon started supervising it.',
    (w) => w.local?.restarts ?? 0,
    'counter',
  );
  perWorker(
    'worker_uptime_seconds',
    'How long the worker process has run (0 when not running).',
    (w) =>
      w.local?.state === 'running' && w.local.startedAt
        ? Math.max(0, (Date.now() - w.local.startedAt) / 1000)
        : 0,
  );
  perWorker(
    'worker_cpu_percent',
    "CPU of the worker's process tree over the last sample, in % of one core.",
    (w) => w.resources?.cpuPercent ?? null,
  );
  perWorker(
    'worker_resident_memory_bytes',
    "Resident memory of the worker's process tree.",
    (w) => w.resources?.rssBytes ?? null,
  );
  perWorker('worker_busy', 'The worker holds a run (pipedai-api says so).', (w) =>
    w.busy ? 1 : 0,
  );
  perWorker(
    'worker_remote_stale',
    "PipedAI's status of the worker is out of date (1): its API unreachable, its list unreadable, or its heartbeats late. Absent without remote status.",
    (w) => (w.remote ? (w.remote.stale ? 1 : 0) : null),
  );
  perWorker(
    'worker_version_stale',
    'The worker runs an older version than the latest release.',
    (w) => (w.versionStale ? 1 : 0),
  );
  new Gauge({
    name: PREFIX + 'worker_version_info',
    help: 'The pipedai-worker version each worker reports, and the latest release (1).',
    labelNames: ['worker', 'id', 'version', 'latest'],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of workers)
        this.set(
          {
            worker: w.label,
            id: w.id,
            version: w.workerVersion ?? 'unknown',
            latest: w.latestWorkerVersion ?? 'unknown',
          },
          1,
        );
    },
  });
  tallied(
    'worker_runs_total',
    'Runs that ended while this daemon watched, by outcome.',
    ['worker', 'id', 'outcome'],
    runs,
    byWorker(['outcome']),
  );
  tallied(
    'worker_log_lines_total',
    "Lines read from each worker's output.",
    ['worker', 'id', 'stream'],
    outputLines,
    byWorker(['stream']),
    everyWorker('out', 'err'),
  );
  tallied(
    'worker_log_bytes_total',
    "Bytes read from each worker's output.",
    ['worker', 'id', 'stream'],
    outputBytes,
    byWorker(['stream']),
    everyWorker('out', 'err'),
  );
  tallied(
    'worker_log_bytes_skipped_total',
    "Bytes of a worker's output the capture skipped (a backlog past its cap, a file truncated by someone else).",
    ['worker', 'id'],
    skippedBytes,
    byWorker([]),
    everyWorker(),
  );
  tallied(
    'worker_log_lines_dropped_total',
    'Log lines a slow dashboard or CLI client lost (the daemon kept them).',
    ['worker', 'id'],
    droppedLines,
    byWorker([]),
    everyWorker(),
  );
  tallied(
    'api_errors_total',
    'Failed pipedai-api calls, by endpoint class and failure kind.',
    ['endpoint', 'kind'],
    apiErrors,
    ([endpoint, kind]) => ({ endpoint: endpoint ?? '', kind: kind ?? '' }),
  );

  new Gauge({
    name: PREFIX + 'connectivity_verdict',
    help: 'The connectivity monitor verdict (1 for the current one).',
    labelNames: ['verdict'],
    registers: [registry],
    collect() {
      const current = sources?.connectivity()?.verdict ?? 'unknown';
      for (const v of Verdict.options) this.set({ verdict: v }, v === current ? 1 : 0);
    },
  });
  const probeGauge = (
    name: string,
    help: string,
    value: (p: ConnectivitySample['api'][number]) => number | null,
  ) =>
    new Gauge({
      name: PREFIX + name,
      help,
      labelNames: ['api'],
      registers: [registry],
      collect() {
        this.reset();
        for (const p of sources?.connectivity()?.api ?? []) {
          const v = value(p);
          if (v !== null) this.set({ api: apiHost(p.url) }, v);
        }
      },
    });
  probeGauge('api_up', 'The last health probe of each pipedai-api answered (1) or not (0).', (p) =>
    p.ok ? 1 : 0,
  );
  probeGauge('api_latency_seconds', 'Latency of the last health probe of each pipedai-api.', (p) =>
    p.latencyMs === null ? null : p.latencyMs / 1000,
  );
  new Gauge({
    name: PREFIX + 'orchestrator_build_info',
    help: 'The orchestrator version, the Node it runs on and the platform (1).',
    labelNames: ['version', 'node', 'platform'],
    registers: [registry],
  }).set({ version: build.version, node: build.node, platform: build.platform }, 1);

  return {
    contentType: registry.contentType,
    async text() {
      // Read once before the collectors run (prom-client runs them all at once).
      workers = sources ? await sources.workers() : [];
      labels = new Map(workers.map((w) => [w.id, w.label]));
      return registry.metrics();
    },
    attach(s) {
      sources = s;
    },
    captured(id, stream, bytes, lines) {
      outputBytes.add(id + SEP + stream, bytes);
      if (lines > 0) outputLines.add(id + SEP + stream, lines);
    },
    skipped: (id, bytes) => skippedBytes.add(id, bytes),
    logLinesDropped: (id, lines) => droppedLines.add(id, lines),
    apiError: (endpoint, kind) => apiErrors.add(endpoint + SEP + kind, 1),
    runEnded: (id, outcome) => runs.add(id + SEP + outcome, 1),
  };
}

/** An API's host and port: the URL's path and query never go in a label. */
export function apiHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
}
