// The managed worker runtime (see manager.ts for what wins, layout.ts for the folders).
export {
  createWorkerRuntime,
  compareVersions,
  findOnPath,
  KEEP_VERSIONS,
  type LaunchPlan,
  type WorkerLaunch,
  type WorkerRuntime,
  type WorkerRuntimeOptions,
} from './manager.ts';
export { InstallError, DEFAULT_INSTALL_TIMEOUT_MS, type InstallSource } from './installer.ts';
export {
  bundledNpmCli,
  electronNodeRuntime,
  macHelperPath,
  packagedResources,
  plainNode,
  RUN_AS_NODE,
  selfNodeRuntime,
  type NodeRuntime,
} from './node-runtime.ts';
export { nodeShim } from './node-shim.ts';
export { runtimeLayout, STAGING_PREFIX, type RuntimeLayout } from './layout.ts';
