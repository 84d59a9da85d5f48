// The daemon room's lightest face: what every CLI process needs before it knows its command.
// No schema, no HTTP, no Orchestrator: `--version` and `--help` load this and nothing else here.
export { VERSION } from './version.ts';
export { pathsFor, resolveHome, type Paths } from './paths.ts';
// The launcher's routing (cli/launch.ts) and the GUI start happen before any command loads.
export { APP_BINARY_ENV, childEnv } from './child-env.ts';
export { packagedResources } from './runtime/boot.ts';
