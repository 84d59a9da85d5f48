// The native service of a server host: one facade over systemd (Linux), launchd (macOS) and
// NSSM (Windows), chosen by the injected platform. The CLI's install/uninstall/status use it.
import { createLaunchdManager } from './launchd.ts';
import { createNssmManager } from './nssm.ts';
import { loadTemplate } from './render.ts';
import { parseInstallerEnv, type ManagerContext } from './spec.ts';
import { createSystemdManager } from './systemd.ts';
import { nodeServiceFs } from './system.ts';
import type { ServiceManager, ServiceOptions } from './types.ts';

export function serviceManagerFor(options: ServiceOptions): ServiceManager {
  const create =
    options.platform === 'linux'
      ? createSystemdManager
      : options.platform === 'darwin'
        ? createLaunchdManager
        : options.platform === 'win32'
          ? createNssmManager
          : undefined;
  if (!create) {
    throw new Error(
      `Unsupported platform: ${options.platform} (the service runs on linux with systemd, darwin with launchd, win32 with NSSM)`,
    );
  }
  const ctx: ManagerContext = {
    platform: options.platform,
    runner: options.runner,
    fs: options.fs ?? nodeServiceFs,
    env: parseInstallerEnv(options.env, options.platform),
    uid: options.uid,
    isRoot: options.isRoot,
    homedir: options.homedir,
    ...(options.stateHome === undefined ? {} : { stateHome: options.stateHome }),
    nodePath: options.nodePath,
    cliPath: options.cliPath,
    ...(options.launcher === undefined ? {} : { launcher: options.launcher }),
    nodeEnv: options.nodeEnv ?? {},
    template: (name) => loadTemplate(name, options.templatesDir),
    ...(options.serviceAccount === undefined ? {} : { serviceAccount: options.serviceAccount }),
    ...(options.servicePassword === undefined ? {} : { servicePassword: options.servicePassword }),
  };
  return create(ctx);
}

/** The service as `doctor` reports it; null where no service manager applies. Never throws. */
export async function probeService(
  options: ServiceOptions,
): Promise<{ installed: boolean; running: boolean; name: string; detail: string } | null> {
  try {
    const manager = serviceManagerFor(options);
    const d = manager.describe();
    const s = await manager.status();
    return {
      installed: s.installed,
      running: s.running,
      name: `${d.kind} ${d.name}`,
      detail: s.detail,
    };
  } catch {
    return null;
  }
}

export { createServiceRunner, hostServiceOptions, nodeServiceFs } from './system.ts';
export {
  autostartPath,
  disableAutostart,
  enableAutostart,
  isAutostartEnabled,
  renderAutostartEntry,
  type AutostartDeps,
  type AutostartLaunch,
} from './autostart.ts';
export { becomeInvoker, handBack, sudoInvoker, type Invoker } from './invoker.ts';
export { LAUNCHD_LABEL } from './launchd.ts';
export { runningUnder, signalIntent, type ServiceManagerKind } from './under-service.ts';
export { NSSM_SERVICE } from './nssm.ts';
export { SYSTEMD_UNIT } from './systemd.ts';
export { ServiceCommandError } from './types.ts';
export type {
  CommandRecord,
  InstallReport,
  RunResult,
  ServiceDescription,
  ServiceFs,
  ServiceKind,
  ServiceManager,
  ServiceOptions,
  ServiceRunner,
  ServiceStatus,
  UninstallReport,
} from './types.ts';
