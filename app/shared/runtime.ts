// The managed worker runtime as the doors show it: which runtime each worker runs, the install
// in progress (or the last one), rollbacks, and the environment workers get.
import { z } from 'zod';

/** The daemon gives up on one worker runtime install after this long (clients wait for it). */
export const RUNTIME_INSTALL_BOUND_MS = 15 * 60_000;

/** Where a worker's `pipedai-worker` comes from. */
export const RuntimeSource = z.enum(['managed', 'path', 'override', 'none']);
export type RuntimeSource = z.infer<typeof RuntimeSource>;

/** A managed runtime's folder name: a version, or `<version>+local.<hash>` for a local build. */
export const RuntimeVersion = z
  .string()
  .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/, 'must be a version');

export const WorkerRuntimeView = z.object({
  source: RuntimeSource,
  /** The managed version it runs (or would run); null for PATH, override and none. */
  version: z.string().nullable(),
  /** The managed version kept for a rollback. */
  previous: z.string().nullable(),
  /** What is executed: the script under PIPEDAI_HOME, the binary on PATH, or the override. */
  command: z.string().nullable(),
  /** Set after a rollback: the version that was left, and whether the daemon did it by itself. */
  rolledBackFrom: z.string().nullable(),
  rolledBackAutomatically: z.boolean(),
  /** Why the worker cannot start (needs-runtime): the last failed install, or what is missing. */
  problem: z.string().nullable(),
});
export type WorkerRuntimeView = z.infer<typeof WorkerRuntimeView>;

export const InstallPhase = z.enum([
  'queued',
  'resolving',
  'downloading',
  'installing',
  'verifying',
  'done',
  'failed',
]);
export type InstallPhase = z.infer<typeof InstallPhase>;

/** Why an install failed, so the doors can say what to do about it. */
export const InstallFailure = z.enum([
  'unreachable',
  'not-found',
  'auth',
  'disk-full',
  'integrity',
  'timeout',
  'verify',
  'other',
]);
export type InstallFailure = z.infer<typeof InstallFailure>;

export const RuntimeInstall = z.object({
  installId: z.string(),
  package: z.string(),
  /** What was asked for: a version, `latest`, or a local folder's tarball. */
  spec: z.string(),
  /** The exact version, once resolved. */
  version: z.string().nullable(),
  phase: InstallPhase,
  /** The registry npm used (no credentials), when known. */
  registry: z.string().nullable(),
  /** Workers waiting for this install. */
  workerIds: z.array(z.string()),
  startedAt: z.number().int(),
  endedAt: z.number().int().nullable(),
  failure: InstallFailure.nullable(),
  /** A sentence naming the registry and the package; never a token. */
  error: z.string().nullable(),
});
export type RuntimeInstall = z.infer<typeof RuntimeInstall>;

export const RuntimeVersionInfo = z.object({
  version: z.string(),
  installedAt: z.number().int(),
  /** Workers whose current or previous runtime it is. */
  usedBy: z.array(z.string()),
});

/** Where the workers' environment came from (desktops resolve the login shell's). */
export const WorkerEnvironment = z.object({
  source: z.enum(['login-shell', 'inherited']),
  /** Why the login shell's environment is not used (timeout, garbage, not a desktop…). */
  note: z.string().nullable(),
});
export type WorkerEnvironment = z.infer<typeof WorkerEnvironment>;

export const RuntimeOverview = z.object({
  package: z.string(),
  versions: z.array(RuntimeVersionInfo),
  /** The install in progress, else the last one (null before any). */
  install: RuntimeInstall.nullable(),
  /** What runs the workers: the daemon's own Node (plain Node, or Electron as Node). */
  node: z.object({ execPath: z.string(), electron: z.boolean() }),
  environment: WorkerEnvironment,
});
export type RuntimeOverview = z.infer<typeof RuntimeOverview>;

export const RollbackEvent = z.object({
  id: z.string(),
  label: z.string(),
  from: z.string(),
  to: z.string(),
  automatic: z.boolean(),
  reason: z.string(),
  at: z.number().int(),
});
export type RollbackEvent = z.infer<typeof RollbackEvent>;
