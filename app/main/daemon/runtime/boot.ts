// The runtime room's light face: what the CLI's entry needs before it knows its command (how the
// app's launcher runs it, where a packaged app keeps its resources). Node built-ins only.
export { packagedResources, RUN_AS_NODE } from './node-runtime.ts';
