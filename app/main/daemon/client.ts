// The daemon room's face for a client of a running daemon (the CLI's workers, logs, dashboard):
// where state lives, the stores, the live owner. The Orchestrator itself stays unloaded.
export { readLiveOwner } from './owner/index.ts';
export { openStore, type Store } from './store/index.ts';
export { pathsFor, resolveHome, type Paths } from './paths.ts';
// The drain ceiling a service unit's stop timeout is derived from (service/spec.ts).
export { drainCeilingMs } from './env-tuning.ts';
// What a CLI command's children inherit (never the launcher's ELECTRON_RUN_AS_NODE), and where a
// packaged app keeps its resources (the launcher's GUI start, a unit's ExecStart).
export { childEnv } from './child-env.ts';
export { packagedResources } from './runtime/boot.ts';
