// Linux: a systemd unit. As root a system unit that runs as the operator who ran sudo (not as
// root, with root's ~/.pipedai); otherwise a user unit, which needs lingering
// to run without a login session.
import { CommandSequence, removeUnitFile } from './commands.ts';
import { systemdEnvironment, systemdExecArgs, systemdPlain } from './escape.ts';
import { parsePasswdEntry } from './invoker.ts';
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

export const SYSTEMD_UNIT = 'pipedai-orchestrator';

export interface SystemdUnitValues {
  spec: UnitSpec;
  /** `User=`; absent for a user unit. */
  user?: string;
  wantedBy: 'multi-user.target' | 'default.target';
}

export function renderSystemdUnit(template: string, values: SystemdUnitValues): string {
  return renderTemplate('systemd.service', template, {
    user: values.user === undefined ? '' : `User=${systemdPlain(values.user, 'User')}`,
    execStart: systemdExecArgs(values.spec.args),
    environment: values.spec.environment
      .map(([k, v]) => `Environment=${systemdEnvironment(k, v)}`)
      .join('\n'),
    wantedBy: values.wantedBy,
    timeoutStopSec: values.spec.stop.systemd,
  });
}

/** `~/.config/systemd/user` (or `$XDG_CONFIG_HOME/systemd/user`) for a user, /etc/systemd/system as root. */
export function systemdUnitPath(ctx: Pick<ManagerContext, 'isRoot' | 'homedir' | 'env'>): string {
  if (ctx.isRoot) return `/etc/systemd/system/${SYSTEMD_UNIT}.service`;
  const p = pathApi('linux');
  const configHome =
    ctx.env.XDG_CONFIG_HOME && p.isAbsolute(ctx.env.XDG_CONFIG_HOME)
      ? ctx.env.XDG_CONFIG_HOME
      : p.join(ctx.homedir, '.config');
  return p.join(configHome, 'systemd', 'user', `${SYSTEMD_UNIT}.service`);
}

/** `loginctl show-user <u> -p Linger` prints `Linger=yes` when the user's units outlive their sessions. */
export function lingerEnabled(stdout: string): boolean {
  return /^Linger=yes\s*$/m.test(stdout);
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.trim() ?? '';
}

export function createSystemdManager(ctx: ManagerContext): ServiceManager {
  const unitPath = systemdUnitPath(ctx);
  const scope = ctx.isRoot ? [] : ['--user'];
  const description: ServiceDescription = { kind: 'systemd', unitPath, name: SYSTEMD_UNIT };
  // The account named in hints and loginctl: the login name when the environment has a sane one.
  const loginName = ctx.env.USER ?? ctx.env.LOGNAME ?? String(ctx.uid);

  /** Who the unit runs as, and that account's home (for the PATH). */
  async function account(seq: CommandSequence): Promise<{ user?: string; home: string }> {
    if (!ctx.isRoot) return { home: ctx.homedir };
    const sudoUser = ctx.env.SUDO_USER;
    if (!sudoUser || sudoUser === 'root') return { user: 'root', home: ctx.homedir };
    const entry = await seq.require('getent', ['passwd', sudoUser]);
    return { user: sudoUser, home: parsePasswdEntry(entry.stdout).home };
  }

  return {
    describe: () => description,

    async install(): Promise<InstallReport> {
      const seq = new CommandSequence(ctx.runner);
      const { user, home } = await account(seq);
      const spec = await buildUnitSpec({
        ...ctx,
        serviceHome: home,
        stateHome: ctx.stateHome ?? stateHomeFor('linux', ctx.env, home),
        manager: ctx.isRoot ? 'systemd-system' : 'systemd-user',
      });
      const unit = renderSystemdUnit(await ctx.template('systemd.service'), {
        spec,
        user,
        wantedBy: ctx.isRoot ? 'multi-user.target' : 'default.target',
      });
      await ctx.fs.mkdir(pathApi('linux').dirname(unitPath), 0o700);
      await ctx.fs.writeFile(unitPath, unit, 0o644);
      await seq.require('systemctl', [...scope, 'daemon-reload']);
      await seq.require('systemctl', [...scope, 'enable', '--now', SYSTEMD_UNIT]);
      const hints: string[] = [];
      if (!ctx.isRoot) {
        const linger = await seq.run('loginctl', ['show-user', loginName, '-p', 'Linger']);
        if (linger.code !== 0 || !lingerEnabled(linger.stdout)) {
          hints.push(
            `Run \`loginctl enable-linger ${loginName}\` (with sudo if asked) so the service runs without a login session and starts at boot.`,
          );
        }
      }
      return {
        ...description,
        activated: true,
        commands: seq.records,
        logs: `journalctl ${[...scope, '-u', SYSTEMD_UNIT].join(' ')}`,
        hints,
      };
    },

    async uninstall(): Promise<UninstallReport> {
      const seq = new CommandSequence(ctx.runner);
      const errors: string[] = [];
      // --no-block: the stop drains, and the runs it waits for may take hours.
      await seq.tolerate(
        'systemctl',
        [...scope, 'disable', '--now', '--no-block', SYSTEMD_UNIT],
        errors,
      );
      const removed = await removeUnitFile(ctx.fs, unitPath, errors);
      await seq.tolerate('systemctl', [...scope, 'daemon-reload'], errors);
      return { ...description, removed, commands: seq.records, errors };
    },

    async status(): Promise<ServiceStatus> {
      const seq = new CommandSequence(ctx.runner);
      const probe = async (s: readonly string[], what: string): Promise<ServiceStatus> => {
        const active = await seq.run('systemctl', [...s, 'is-active', SYSTEMD_UNIT]);
        const enabled = await seq.run('systemctl', [...s, 'is-enabled', SYSTEMD_UNIT]);
        const activeState = firstLine(active.stdout) || 'unknown';
        const enabledState = firstLine(enabled.stdout) || 'not installed';
        return {
          installed: enabled.code === 0,
          running: active.code === 0 && activeState === 'active',
          detail: `${SYSTEMD_UNIT}${what}: ${activeState}, ${enabledState}`,
        };
      };
      const own = await probe(scope, '');
      // A user without a user unit may have installed the system one with sudo: that is theirs too.
      if (ctx.isRoot || own.installed) return own;
      const system = await probe([], ' (system unit)');
      return system.installed ? system : own;
    },
  };
}
