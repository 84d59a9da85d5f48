// The command table: every operation the doors expose, declared once. The HTTP router, the IPC
// handler, the control client and the renderer bridge are generic over this table.
import { z } from 'zod';
import {
  FusedWorker,
  LogLine,
  RunEvent,
  RunSummary,
  ConnectivitySample,
  ResourcesView,
  SelfStatus,
} from './status.ts';
import { RUNTIME_INSTALL_BOUND_MS, RuntimeOverview } from './runtime.ts';
import { Diagnostics } from './diagnostics.ts';
import { PathSegment } from './util.ts';
import { DEFAULT_API_URL } from './defaults.ts';
import { VERB_SUMMARIES } from './verbs.ts';

export const PairingStart = z.object({
  pairingId: z.string(),
  userCode: z.string(),
  verificationUri: z.string(),
  verificationUriComplete: z.string(),
  expiresAt: z.string(),
});
export type PairingStart = z.infer<typeof PairingStart>;
export const PairingState = z.enum(['waiting', 'approved', 'failed']);
export const PairingStatus = z.object({
  state: PairingState,
  workerId: z.string().optional(),
  error: z.string().optional(),
});
export type PairingStatus = z.infer<typeof PairingStatus>;

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface CommandDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** Route, with `:name` path parameters (URL-decoded into the input object). */
  readonly method: HttpMethod;
  readonly path: string;
  /** The whole input: path parameters, query parameters and JSON body merged into one object. */
  readonly input: I;
  readonly output: O;
  /** HTTP status on success. */
  readonly status: 200 | 201 | 202;
  /** How long every client (CLI, dashboard, tray, attached app) waits for the answer; null: no limit. */
  readonly timeoutMs: number | null;
  /** One line for people: the CLI's help shows it. */
  readonly summary: string;
}

/**
 * How long a client waits for an answer, by what the command does. A read answers at once. A
 * change may register (pipedai-api). An install of the worker runtime may first wait for the one in
 * flight (one at a time per host), and each is bounded by the daemon at RUNTIME_INSTALL_BOUND_MS;
 * a self-upgrade's install (npm, bounded at 10 min, then the proof the new version starts) fits
 * the same wait. A drain waits for the worker's run to finish, however long it takes (the
 * operator's Force stop cuts it short), so no client gives up on it.
 */
export const ANSWER_WITHIN = {
  read: 30_000,
  change: 10 * 60_000,
  install: 2 * RUNTIME_INSTALL_BOUND_MS,
  drain: null,
} as const satisfies Record<string, number | null>;

function command<I extends z.ZodType, O extends z.ZodType>(def: {
  method: HttpMethod;
  path: string;
  input: I;
  output: O;
  status?: 200 | 201 | 202;
  timeoutMs: number | null;
  summary: string;
}): CommandDef<I, O> {
  return { status: 200, ...def };
}

/** Integer query parameter: clamped to [min, max]; unparsable → `fallback` (§7.3). */
export function clampedInt(min: number, max: number, fallback: number) {
  return z.preprocess((v) => {
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : Number.parseInt(String(v), 10);
    if (!Number.isFinite(n)) return fallback;
    return Math.min(max, Math.max(min, Math.trunc(n)));
  }, z.number().int().optional());
}

/** A pipedai-api base URL: http(s) only (z.url() alone also takes file:, javascript:, ftp:). */
export const ApiUrlInput = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const WorkerId = z.string().min(1).max(200);

/** An npm version we will install: plain semver or a dist-tag word; never a path, URL or git spec. */
export const InstallVersion = z
  .string()
  .regex(
    /^(?:\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?|latest|next|beta)$/,
    'must be a version like 1.4.2',
  );

export const BuildAuthMode = z.enum(['claude-max', 'api-key', 'claude_max', 'api_key']);

const VerbResult = <A extends string>(action: A) =>
  z.object({ id: z.string(), action: z.literal(action), ok: z.literal(true) });

const byId = z.object({ id: WorkerId });

const UpgradeSource = z
  .object({
    version: InstallVersion.optional(),
    fromLocal: z.string().min(1).max(4096).optional(),
    /**
     * Run the packed tarball's install scripts (preinstall, install, postinstall). Off unless
     * the operator asks: they run with the daemon's rights.
     */
    runScripts: z.boolean().optional(),
  })
  .refine((v) => (v.version === undefined) !== (v.fromLocal === undefined), {
    message: 'exactly one of version or fromLocal is required',
    path: ['version'],
  })
  .refine((v) => v.runScripts === undefined || v.fromLocal !== undefined, {
    message: 'runScripts applies to fromLocal only (a registry version installs as npm does)',
    path: ['runScripts'],
  });

export const commands = {
  listWorkers: command({
    method: 'GET',
    path: '/api/workers',
    input: z.object({}),
    output: z.object({ items: z.array(FusedWorker) }),
    timeoutMs: ANSWER_WITHIN.read,
    summary: 'The fused view of every managed worker, in manifest order.',
  }),
  buildWorker: command({
    method: 'POST',
    path: '/api/workers',
    input: z.object({
      apiUrl: ApiUrlInput,
      workspaceId: z.string().min(1).max(200).optional(),
      token: z.string().min(1).max(4096).optional(),
      label: z.string().min(1).max(200).optional(),
      pool: z.boolean().optional(),
      authMode: BuildAuthMode.optional(),
      hostname: z.string().min(1).max(255).optional(),
    }),
    output: z.object({ id: z.string() }),
    status: 201,
    // The first worker of a host installs the runtime before it registers.
    timeoutMs: ANSWER_WITHIN.install,
    summary: 'Register a new worker with pipedai-api and supervise it.',
  }),
  startWorker: command({
    method: 'POST',
    path: '/api/workers/:id/start',
    input: byId,
    output: VerbResult('start'),
    timeoutMs: ANSWER_WITHIN.change,
    summary: VERB_SUMMARIES.startWorker,
  }),
  stopWorker: command({
    method: 'POST',
    path: '/api/workers/:id/stop',
    input: byId.extend({ force: z.boolean().optional() }),
    output: VerbResult('stop'),
    timeoutMs: ANSWER_WITHIN.drain,
    summary: VERB_SUMMARIES.stopWorker,
  }),
  restartWorker: command({
    method: 'POST',
    path: '/api/workers/:id/restart',
    input: byId,
    output: VerbResult('restart'),
    timeoutMs: ANSWER_WITHIN.drain,
    summary: VERB_SUMMARIES.restartWorker,
  }),
  disableWorker: command({
    method: 'POST',
    path: '/api/workers/:id/disable',
    input: byId,
    output: VerbResult('disable'),
    timeoutMs: ANSWER_WITHIN.drain,
    summary: VERB_SUMMARIES.disableWorker,
  }),
  enableWorker: command({
    method: 'POST',
    path: '/api/workers/:id/enable',
    input: byId,
    output: VerbResult('enable'),
    timeoutMs: ANSWER_WITHIN.change,
    summary: VERB_SUMMARIES.enableWorker,
  }),
  deleteWorker: command({
    method: 'DELETE',
    path: '/api/workers/:id',
    input: byId,
    output: VerbResult('delete'),
    timeoutMs: ANSWER_WITHIN.drain,
    summary: VERB_SUMMARIES.deleteWorker,
  }),
  upgradeWorker: command({
    method: 'POST',
    path: '/api/workers/:id/upgrade',
    input: z.intersection(byId, UpgradeSource),
    output: z.object({
      id: z.string(),
      action: z.literal('upgrade'),
      ok: z.literal(true),
      target: z.string(),
      durationMs: z.number(),
      oldVersion: z.string().nullable(),
    }),
    timeoutMs: ANSWER_WITHIN.drain,
    summary: 'Drain, install a worker version, respawn, re-enable.',
  }),
  rollbackWorker: command({
    method: 'POST',
    path: '/api/workers/:id/rollback',
    input: byId,
    output: VerbResult('rollback').extend({ from: z.string(), to: z.string() }),
    timeoutMs: ANSWER_WITHIN.drain,
    summary: VERB_SUMMARIES.rollbackWorker,
  }),
  installWorkerRuntime: command({
    method: 'POST',
    path: '/api/workers/:id/runtime',
    input: byId,
    output: VerbResult('install-runtime').extend({ version: z.string() }),
    timeoutMs: ANSWER_WITHIN.install,
    summary: VERB_SUMMARIES.installWorkerRuntime,
  }),
  getRuntime: command({
    method: 'GET',
    path: '/api/runtime',
    input: z.object({}),
    output: RuntimeOverview,
    timeoutMs: ANSWER_WITHIN.read,
    summary: 'Installed worker runtimes, the install in progress, and what runs the workers.',
  }),
  upgradeSelf: command({
    method: 'POST',
    path: '/api/upgrade-self',
    // A version older than the running one is refused unless allowDowngrade (ours; the
    // reference installs whatever it is given).
    input: z.intersection(UpgradeSource, z.object({ allowDowngrade: z.boolean().optional() })),
    output: z.object({
      ok: z.literal(true),
      action: z.literal('upgrade-self'),
      durationMs: z.number(),
      /** The version installed. */
      version: z.string().optional(),
    }),
    timeoutMs: ANSWER_WITHIN.install,
    summary:
      'Install an orchestrator version, then hand the running workers to it (no run is interrupted).',
  }),
  restartToUpdate: command({
    method: 'POST',
    path: '/api/self/restart-to-update',
    input: z.object({}),
    output: z.object({ ok: z.literal(true), action: z.literal('restart-to-update') }),
    timeoutMs: ANSWER_WITHIN.change,
    summary:
      'Desktop app only: restart into the update it downloaded; running workers are handed over, not stopped.',
  }),
  getSelf: command({
    method: 'GET',
    path: '/api/self',
    input: z.object({}),
    output: SelfStatus,
    timeoutMs: ANSWER_WITHIN.read,
    summary: 'The orchestrator version and the latest release.',
  }),
  getDiagnostics: command({
    method: 'GET',
    path: '/api/diagnostics',
    // The asking CLI's version: a daemon older or newer than it has not been restarted.
    input: z.object({ cliVersion: z.string().min(1).max(64).optional() }),
    output: Diagnostics,
    timeoutMs: ANSWER_WITHIN.read,
    summary:
      'Checks of this host (runtime, daemon, service, workers, API, secrets, disk), with fixes.',
  }),
  getResources: command({
    method: 'GET',
    path: '/api/resources',
    input: z.object({}),
    output: ResourcesView,
    timeoutMs: ANSWER_WITHIN.read,
    summary: "CPU and memory of each worker's process tree over the last ten minutes, with totals.",
  }),
  getLogs: command({
    method: 'GET',
    path: '/api/workers/:id/logs',
    input: byId.extend({ tail: clampedInt(1, 2000, 1) }),
    output: z.object({
      items: z.array(LogLine),
      dropped: z.number().int().nonnegative().optional(),
    }),
    timeoutMs: ANSWER_WITHIN.read,
    summary: 'The last captured log lines of a worker.',
  }),
  listRuns: command({
    method: 'GET',
    path: '/api/workers/:id/runs',
    input: z.object({ id: PathSegment }),
    output: z.object({ items: z.array(RunSummary) }),
    timeoutMs: ANSWER_WITHIN.read,
    summary: 'Runs with local event files, newest first (at most 50).',
  }),
  getRunEvents: command({
    method: 'GET',
    path: '/api/workers/:id/runs/:runId/events',
    input: z.object({
      id: PathSegment,
      runId: PathSegment,
      after: z.preprocess((v) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        return Number.isFinite(n) ? n : 0;
      }, z.number().optional()),
      tail: clampedInt(1, 5000, 500),
    }),
    output: z.object({ items: z.array(RunEvent) }),
    timeoutMs: ANSWER_WITHIN.read,
    summary: 'Events of one run: after a seq, or the last N.',
  }),
  getConnectivity: command({
    method: 'GET',
    path: '/api/connectivity',
    input: z.object({ tail: clampedInt(1, 2000, 1) }),
    output: z.object({
      current: ConnectivitySample.nullable(),
      history: z.array(ConnectivitySample),
    }),
    timeoutMs: ANSWER_WITHIN.read,
    summary: 'The latest connectivity sample and recent history.',
  }),
  startPairing: command({
    method: 'POST',
    path: '/api/pairing',
    input: z.object({
      apiUrl: ApiUrlInput.default(DEFAULT_API_URL),
      label: z.string().min(1).max(200).optional(),
    }),
    output: PairingStart,
    status: 201,
    timeoutMs: ANSWER_WITHIN.change,
    summary: 'Start device pairing (RFC 8628) from the daemon; a person approves the code.',
  }),
  pairingStatus: command({
    method: 'GET',
    path: '/api/pairing/:pairingId',
    input: z.object({ pairingId: z.string().min(1).max(100) }),
    output: PairingStatus,
    timeoutMs: ANSWER_WITHIN.read,
    summary: 'Where a pairing stands: waiting, approved (with the new worker) or failed.',
  }),
  cancelPairing: command({
    method: 'DELETE',
    path: '/api/pairing/:pairingId',
    input: z.object({ pairingId: z.string().min(1).max(100) }),
    output: z.object({ ok: z.literal(true) }),
    timeoutMs: ANSWER_WITHIN.read,
    summary: 'Stop waiting for a pairing.',
  }),
} as const satisfies Record<string, CommandDef>;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<N extends CommandName> = z.input<Commands[N]['input']>;
export type CommandArgs<N extends CommandName> = z.output<Commands[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<Commands[N]['output']>;

/** What a door needs from the daemon: one async method per command. */
export type CommandHandlers = {
  [N in CommandName]: (input: CommandArgs<N>) => Promise<CommandOutput<N>>;
};

/** Any client's generic call (control client, Bridge, command target). */
export type CallCommand = <N extends CommandName>(
  name: N,
  input: CommandInput<N>,
) => Promise<CommandOutput<N>>;
