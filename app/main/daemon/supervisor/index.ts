// The supervisor of `pipedai-worker run` children (contract §5): what the daemon uses.
export {
  createSupervisor,
  type RecoverReport,
  type Supervisor,
  type SupervisorEventMap,
  type SupervisorEvents,
  type SupervisorOptions,
  type WorkerLogEvent,
} from './supervisor.ts';
export type { StopOptions } from './supervised-worker.ts';
export { backoffPolicy, type BackoffPolicy } from './backoff.ts';
export {
  INSTANCE_TAG,
  WORKER_ID_TAG,
  binLaunch,
  resolveWorkerBin,
  type KillPrimitives,
  type WorkerLaunchCommand,
} from './spawn.ts';
export type { ChildRegistryStore } from './child-registry.ts';
export type { ProcessProbe } from './process-probe.ts';
export type { SpawnFn } from './worker-process.ts';
