// The contract: one module the rest of the code imports. No Node, DOM or electron imports.
export * from './api.js';
export * from './state.js';
export * from './status.js';
export * from './events.js';
export * from './commands.js';
export * from './util.js';
export * from './errors.js';
