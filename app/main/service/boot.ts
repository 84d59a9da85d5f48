// The service room's light face: who is behind sudo, and handing their state back to them. What
// every CLI command needs before and after it runs, without the unit managers (or the daemon
// they reach).
export { handBack, sudoInvoker, type Invoker } from './invoker.ts';
