// The sandbox npm registry (Verdaccio) with the worker simulator published as @pipedai/worker.
export {
  startSandboxRegistry,
  type SandboxRegistry,
  type SandboxRegistryOptions,
} from './server.ts';
export { SANDBOX_RELEASES, WORKER_PACKAGE, packRelease, type SandboxRelease } from './package.ts';
