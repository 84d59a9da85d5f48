// The control door's public face: the loopback HTTP/WebSocket server over the command table, and
// the typed client the CLI and an attached desktop app use.
export { createControlClient, type ControlClient } from './client.ts';
export { startControlServer, type ControlServer, type ControlServerOptions } from './server.ts';
export { assertLoopbackBind } from './security.ts';
