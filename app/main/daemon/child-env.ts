// The environment of every process the daemon or the CLI starts. Run by the desktop app's
// launcher, this process carries ELECTRON_RUN_AS_NODE (and the launcher's note of the app binary);
// a child that inherited them would turn the next Electron binary it starts (a browser, an
// Electron-based tool, the app itself) into plain Node. So they are taken out, and only what runs
// on our own Node gets ELECTRON_RUN_AS_NODE back, on purpose (NodeRuntime.env: workers of the
// managed runtime, npm).
import { APP_BINARY_ENV } from './app-binary.ts';
import { RUN_AS_NODE } from './runtime/boot.ts';

export { APP_BINARY_ENV };

const STRIPPED = new Set([RUN_AS_NODE, APP_BINARY_ENV]);

/** `base` without the launcher's variables (any case: Windows names are case-insensitive), plus `add`. */
export function childEnv(
  base: NodeJS.ProcessEnv,
  add: Readonly<Record<string, string>> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!STRIPPED.has(k.toUpperCase())) env[k] = v;
  return { ...env, ...add };
}
