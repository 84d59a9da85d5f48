// "Launch at login": Electron's login items on macOS and Windows, the XDG autostart entry on
// Linux. What to set comes from the pure plan; this only applies it and reads it back.
import { app } from 'electron';
import {
  disableAutostart,
  enableAutostart,
  isAutostartEnabled,
  nodeServiceFs,
  type AutostartDeps,
} from '../service/index.ts';
import {
  loginItemPlan,
  loginItemQuery,
  loginItemState,
  type AppLaunch,
  type LoginItemState,
} from './logic/login-item.ts';

export interface LoginItemController {
  /** null when this platform (or a development run on macOS) has no login start. */
  get(): Promise<LoginItemState | null>;
  /** Applies, then reads back what the system holds now, whatever that is. */
  set(enable: boolean): Promise<LoginItemState | null>;
}

export function createLoginItemController(o: {
  platform: NodeJS.Platform;
  launch: AppLaunch;
  env: NodeJS.ProcessEnv;
  homedir: string;
  templatesDir: string;
}): LoginItemController {
  const xdg: AutostartDeps = {
    env: o.env,
    homedir: o.homedir,
    fs: nodeServiceFs,
    templatesDir: o.templatesDir,
  };
  const get = async (): Promise<LoginItemState | null> => {
    const q = loginItemQuery(o.platform, o.launch);
    if (q.kind === 'unsupported') return null;
    if (q.kind === 'xdg') return { on: await isAutostartEnabled(xdg), note: null };
    return loginItemState(o.platform, app.getLoginItemSettings(q.options));
  };
  return {
    get,
    async set(enable) {
      const plan = loginItemPlan(o.platform, enable, o.launch);
      if (plan.kind === 'unsupported') return null;
      if (plan.kind === 'login-item') app.setLoginItemSettings(plan.settings);
      else if (plan.enable) await enableAutostart(xdg, plan.launch);
      else await disableAutostart(xdg);
      return get();
    },
  };
}
