// The contract: one module the rest of the code imports. No Node, DOM or electron imports.
export * from './api.ts';
export * from './state.ts';
export * from './status.ts';
export * from './runtime.ts';
export * from './events.ts';
export * from './commands.ts';
export * from './diagnostics.ts';
export * from './util.ts';
export * from './draining.ts';
export * from './errors.ts';
export * from './http.ts';
export * from './backoff.ts';
export * from './door.ts';
export * from './ipc.ts';
export type * from './bridge.ts';
export * from './launch-route.ts';
