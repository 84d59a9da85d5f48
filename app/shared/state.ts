// Files on disk under PIPEDAI_HOME (contract §3.3, §4).
import { z } from 'zod';
import { PathSegment } from './util.ts';

export const WorkerMode = z.enum(['workspace', 'pool']);
export type WorkerMode = z.infer<typeof WorkerMode>;
export const DesiredState = z.enum(['enabled', 'disabled']);
export type DesiredState = z.infer<typeof DesiredState>;

/** §4.2: unknown keys are stripped before writing (z.object strips by default). */
export const ManifestEntry = z.object({
  /** The API's worker id; it names the worker's log file and run folder. */
  id: PathSegment,
  label: z.string().min(1),
  apiUrl: z.url(),
  workspaceId: z.string().nullable().optional(),
  configPath: z.string().min(1),
  mode: WorkerMode,
  desiredState: DesiredState,
});
export type ManifestEntry = z.infer<typeof ManifestEntry>;

export const Manifest = z.object({
  version: z.literal(1),
  workers: z.array(ManifestEntry),
});
export type Manifest = z.infer<typeof Manifest>;

/** §4.3 credentials.json: secrets; 0600. */
export const Credentials = z.object({
  version: z.literal(1),
  localToken: z.string().startsWith('oct_'),
  operators: z.record(z.string(), z.string().min(1)),
  poolReadTokens: z.record(z.string(), z.string().min(1)).default({}),
});
export type Credentials = z.infer<typeof Credentials>;

/** §3.3 worker config: the orchestrator reads these fields; others pass through untouched. */
export const WorkerConfig = z.looseObject({
  workerId: PathSegment,
  workerToken: z.string().optional(),
  apiUrl: z.string().min(1),
  workspaceId: z.string().nullable().optional(),
  isPool: z.boolean().optional(),
});
export type WorkerConfig = z.infer<typeof WorkerConfig>;

/** Runtime record `orchestrator/daemon.json` of the process that owns the host. */
export const HostKind = z.enum(['desktop', 'headless']);
export type HostKind = z.infer<typeof HostKind>;
export const RuntimeRecord = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().min(0).max(65535).nullable(),
  instanceId: z.string().min(1),
  host: HostKind,
  startedAt: z.number().int(),
  version: z.string().optional(),
});
export type RuntimeRecord = z.infer<typeof RuntimeRecord>;

/** `orchestrator/children.json`: every live worker child, so a restarted daemon never runs one twice. */
export const ChildRecord = z.object({
  workerId: PathSegment,
  pid: z.number().int().positive(),
  /** Process start time as the OS reports it (Linux: /proc/<pid>/stat field 22; else ps lstart). */
  startTime: z.string().min(1),
  configPath: z.string().min(1),
  instanceId: z.string().min(1),
  spawnedAt: z.number().int(),
});
export type ChildRecord = z.infer<typeof ChildRecord>;
export const ChildRegistry = z.object({ version: z.literal(1), children: z.array(ChildRecord) });
export type ChildRegistry = z.infer<typeof ChildRegistry>;
