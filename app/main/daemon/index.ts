// The daemon's one public face: what the hosts, the CLI and the service installer use. Everything
// else under daemon/ is its own business (ESLint refuses a deep import from another room).
export { openDaemon, workerConfigs, type Daemon, type DaemonOptions } from './daemon.ts';
export type { Orchestrator } from './orchestrator/index.ts';
export type { DesktopUpdatePort } from './deps.ts';
export { HostOwnedError, readLiveOwner } from './owner/index.ts';
export { pathsFor, resolveHome, type Paths } from './paths.ts';
export { openStore, writeFileAtomic, type Store } from './store/index.ts';
export { VERSION } from './version.ts';
export { drainCeilingMs } from './env-tuning.ts';
export { APP_BINARY_ENV, childEnv } from './child-env.ts';
export { measureDisk } from './disk-usage.ts';
export type { DaemonMetrics } from './metrics/metrics.ts';
export { collectDiagnostics } from './diagnostics/collect.ts';
export { confirmRunning, LAUNCHED_ENV, launchFor } from './self-update/managed.ts';
export { ApiClient, redeemEnrollmentCode, startDevicePairing } from './api/index.ts';
export { persistEnrollment } from './enroll/persist.ts';
export { adopt } from './enroll/adopt.ts';
export { login, type LoginScope } from './enroll/login.ts';
export { createToolRunner, type ToolRunner } from './tools/run-tool.ts';
export { createWorkerCli, WORKER_PACKAGE, type WorkerCli } from './tools/worker-cli.ts';
// The managed worker runtime: the CLI installs it from its own process (connect, adopt); the
// desktop host says what runs workers and npm (the app's binary as Node).
export {
  bundledNpmCli,
  createWorkerRuntime,
  electronNodeRuntime,
  packagedResources,
  RUN_AS_NODE,
  selfNodeRuntime,
  type NodeRuntime,
  type WorkerRuntime,
} from './runtime/index.ts';
