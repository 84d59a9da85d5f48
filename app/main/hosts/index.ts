// The hosts' public face: the headless host (`pipedai-orchestrator start`) and the desktop app's
// link to the host's daemon (own it, or attach to its owner).
export { startHeadless, type HeadlessOptions, type RunningDaemon } from './headless.ts';
export { openDaemonLink, type DaemonLink, type LinkOptions } from './link.ts';
export type { CloseHow, HostMode } from './host-mode.ts';
// What the desktop host passes its daemon: the app's binary as Node, npm's CLI script.
export {
  APP_BINARY_ENV,
  bundledNpmCli,
  electronNodeRuntime,
  RUN_AS_NODE,
  type NodeRuntime,
} from '../daemon/index.ts';
