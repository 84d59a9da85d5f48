// The daemon room's lightest face: what every CLI process needs before it knows its command.
// No schema, no HTTP, no Orchestrator: `--version` and `--help` load this and nothing else here.
export { VERSION } from './version.ts';
export { pathsFor, resolveHome, type Paths } from './paths.ts';
// Whether the desktop app's launcher ran this CLI (then cli/launch.ts decides GUI or command).
export { APP_BINARY_ENV } from './app-binary.ts';
