// macOS: a LaunchAgent in the operator's GUI domain, loaded with bootstrap/bootout (load/unload
// are deprecated). Status reads `launchctl print`: loaded is not running (a loaded agent may be
// dead).
import { CommandSequence, removeUnitFile } from './commands.ts';
import { escapeXml } from './escape.ts';
import { renderTemplate } from './render.ts';
import {
  buildUnitSpec,
  pathApi,
  stateHomeFor,
  type ManagerContext,
  type UnitSpec,
} from './spec.ts';
import type {
  InstallReport,
  ServiceDescription,
  ServiceManager,
  ServiceStatus,
  UninstallReport,
} from './types.ts';

export const LAUNCHD_LABEL = 'com.marolence.pipedai-orchestrator';

export interface LaunchdPaths {
  plist: string;
  logsDir: string;
  stdout: string;
  stderr: string;
}

export function launchdPaths(homedir: string): LaunchdPaths {
  const p = pathApi('darwin');
  const logsDir = p.join(homedir, 'Library', 'Logs', 'pipedai-orchestrator');
  return {
    plist: p.join(homedir, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`),
    logsDir,
    stdout: p.join(logsDir, 'daemon.out.log'),
    stderr: p.join(logsDir, 'daemon.err.log'),
  };
}

export function renderLaunchdPlist(
  template: string,
  values: { spec: UnitSpec; stdoutPath: string; stderrPath: string },
): string {
  return renderTemplate('launchd.plist', template, {
    label: escapeXml(LAUNCHD_LABEL),
    programArguments: values.spec.args
      .map((a, i) => `\t\t<string>${escapeXml(a, `ProgramArguments[${i}]`)}</string>`)
      .join('\n'),
    environment: values.spec.environment
      .map(([k, v]) => `\t\t<key>${escapeXml(k)}</key>\n\t\t<string>${escapeXml(v, k)}</string>`)
      .join('\n'),
    exitTimeOut: String(values.spec.stop.launchdSeconds),
    stdoutPath: escapeXml(values.stdoutPath, 'StandardOutPath'),
    stderrPath: escapeXml(values.stderrPath, 'StandardErrorPath'),
  });
}

/** The service's `state = …` line of `launchctl print` (the first one: nested blocks come later). */
export function launchdState(printOutput: string): string | undefined {
  return /^\s*state = (.+?)\s*$/m.exec(printOutput)?.[1];
}

export function createLaunchdManager(ctx: ManagerContext): ServiceManager {
  const paths = launchdPaths(ctx.homedir);
  const domain = `gui/${ctx.uid}`;
  const target = `${domain}/${LAUNCHD_LABEL}`;
  const description: ServiceDescription = {
    kind: 'launchd',
    unitPath: paths.plist,
    name: LAUNCHD_LABEL,
  };

  return {
    describe: () => description,

    async install(): Promise<InstallReport> {
      if (ctx.isRoot) {
        // A LaunchAgent lives in a user's login session: root's would land in /var/root and gui/0.
        throw new Error(
          'On macOS, run install as the user who should own the service, without sudo.',
        );
      }
      if (!Number.isInteger(ctx.uid) || ctx.uid < 0) throw new Error(`invalid uid: ${ctx.uid}`);
      const spec = await buildUnitSpec({
        ...ctx,
        serviceHome: ctx.homedir,
        stateHome: ctx.stateHome ?? stateHomeFor('darwin', ctx.env, ctx.homedir),
        manager: 'launchd',
      });
      const plist = renderLaunchdPlist(await ctx.template('launchd.plist'), {
        spec,
        stdoutPath: paths.stdout,
        stderrPath: paths.stderr,
      });
      const p = pathApi('darwin');
      await ctx.fs.mkdir(p.dirname(paths.plist), 0o700);
      await ctx.fs.mkdir(paths.logsDir, 0o700);
      await ctx.fs.writeFile(paths.plist, plist, 0o644);
      const seq = new CommandSequence(ctx.runner);
      // bootstrap refuses a label that is already loaded: take the old one out first.
      const loaded = await seq.run('launchctl', ['print', target]);
      if (loaded.code === 0) await seq.require('launchctl', ['bootout', target]);
      // Clears a disabled override (`unload -w` leaves one), which bootstrap obeys.
      await seq.require('launchctl', ['enable', target]);
      await seq.require('launchctl', ['bootstrap', domain, paths.plist]);
      return {
        ...description,
        activated: true,
        commands: seq.records,
        logs: paths.logsDir,
        hints: [],
      };
    },

    async uninstall(): Promise<UninstallReport> {
      const seq = new CommandSequence(ctx.runner);
      const errors: string[] = [];
      await seq.tolerate('launchctl', ['bootout', target], errors);
      const removed = await removeUnitFile(ctx.fs, paths.plist, errors);
      return { ...description, removed, commands: seq.records, errors };
    },

    async status(): Promise<ServiceStatus> {
      const seq = new CommandSequence(ctx.runner);
      const printed = await seq.run('launchctl', ['print', target]);
      if (printed.code !== 0)
        return { installed: false, running: false, detail: `${LAUNCHD_LABEL}: not loaded` };
      const state = launchdState(printed.stdout) ?? 'unknown';
      const lastExit = /^\s*last exit code = (.+?)\s*$/m.exec(printed.stdout)?.[1];
      return {
        installed: true,
        running: state === 'running',
        detail: `${LAUNCHD_LABEL}: state = ${state}${lastExit ? `, last exit code = ${lastExit}` : ''}`,
      };
    },
  };
}
