// Windows: an NSSM service that logs on as the installing user (or the account named), never as
// LocalSystem. The published orchestrator's service ran as LocalSystem on the user's npm, PATH,
// state folder and a .bat in the user's profile: anything the user could write, SYSTEM ran. Run
// as the user, the service can do exactly what that user can, and nothing the user writes gains
// rights. Installing needs an elevated prompt: `install` checks it and then runs NSSM itself, so
// no script ever waits in a user-writable folder for an administrator to run it.
import { CommandSequence, removeUnitFile } from './commands.ts';
import { hasControlCharacter, quoteWindowsArg } from './escape.ts';
import {
  buildUnitSpec,
  pathApi,
  stateHomeFor,
  type InstallerEnv,
  type ManagerContext,
  type UnitSpec,
} from './spec.ts';
import type {
  CommandRecord,
  InstallReport,
  ServiceDescription,
  ServiceManager,
  ServiceStatus,
  UninstallReport,
} from './types.ts';

export const NSSM_SERVICE = 'PipedAIOrchestrator';

/** Well-known SIDs (locale-independent, unlike their names): SYSTEM and BUILTIN\Administrators. */
const SYSTEM_SID = '*S-1-5-18';
const ADMINISTRATORS_SID = '*S-1-5-32-544';
/** Mandatory labels of an elevated token: High (an administrator's) and System. */
const ELEVATED_LABELS = ['S-1-16-12288', 'S-1-16-16384'];

export interface NssmPaths {
  stateHome: string;
  /** What install did, for the operator and for "does the service manage this home" (not run). */
  record: string;
  /** Where versions before 0.9 left their install script: removed on sight. */
  legacyScript: string;
  logsDir: string;
  stdout: string;
  stderr: string;
}

export function nssmPaths(
  env: InstallerEnv,
  homedir: string,
  stateHome: string = stateHomeFor('win32', env, homedir),
): NssmPaths {
  const p = pathApi('win32');
  const logsDir = p.join(stateHome, 'logs');
  return {
    stateHome,
    record: p.join(stateHome, 'orchestrator', 'nssm-service.txt'),
    legacyScript: p.join(stateHome, 'orchestrator', 'install-service.bat'),
    logsDir,
    stdout: p.join(logsDir, 'pipedai-orchestrator.out.log'),
    stderr: p.join(logsDir, 'pipedai-orchestrator.err.log'),
  };
}

// `DOMAIN\name` or `.\name`; characters Windows forbids in account names are refused.
const ACCOUNT = /^[^\\/"[\]:;|=,+*?<>@]+\\[^\\/"[\]:;|=,+*?<>]+$/;

/** The account the service logs on as: the one named, else the installing user. */
export function serviceAccount(env: InstallerEnv, named?: string): string {
  const account = named ?? (env.USERNAME ? `${env.USERDOMAIN ?? '.'}\\${env.USERNAME}` : '');
  if (!account)
    throw new Error(
      'cannot tell which account the service should run as: USERNAME is not set; pass --user DOMAIN\\name',
    );
  if (hasControlCharacter(account) || !ACCOUNT.test(account.trim()))
    throw new Error(
      `not a Windows account name: ${JSON.stringify(account)} (expected DOMAIN\\name or .\\name)`,
    );
  return account.trim();
}

/** One NSSM or icacls invocation; `secret` marks an argument never recorded or shown. */
export interface NssmCommand {
  cmd: string;
  args: string[];
  secret?: string;
}

export interface NssmPlanValues {
  spec: UnitSpec;
  paths: NssmPaths;
  account: string;
  password: string;
  /** %SystemRoot%, for an absolute %ComSpec%. */
  systemRoot: string;
}

/** The state folder: this account, SYSTEM and Administrators only, whoever created it. */
export function aclCommands(stateHome: string, account: string): NssmCommand[] {
  return [
    {
      cmd: 'icacls',
      args: [
        stateHome,
        '/inheritance:r',
        '/grant:r',
        `${account}:(OI)(CI)F`,
        `${SYSTEM_SID}:(OI)(CI)F`,
        `${ADMINISTRATORS_SID}:(OI)(CI)F`,
        '/Q',
      ],
    },
    // The owner can always rewrite the ACL: it must be the account, not whoever made it first.
    { cmd: 'icacls', args: [stateHome, '/setowner', account, '/T', '/C', '/Q'] },
  ];
}

/** The NSSM settings of the service, in the order install applies them. */
export function nssmInstallCommands(v: NssmPlanValues): NssmCommand[] {
  const set = (...args: string[]): NssmCommand => ({
    cmd: 'nssm',
    args: ['set', NSSM_SERVICE, ...args],
  });
  const comSpec = pathApi('win32').join(v.systemRoot, 'System32', 'cmd.exe');
  return [
    { cmd: 'nssm', args: ['install', NSSM_SERVICE, v.spec.nodePath] },
    // NSSM hands AppParameters to node's command line as is: the CLI path is quoted inside it.
    set('AppParameters', `${quoteWindowsArg(v.spec.cliPath, 'CLI path')} start`),
    set('AppDirectory', v.paths.stateHome),
    set(
      'AppEnvironmentExtra',
      ...[...v.spec.environment, ['ComSpec', comSpec] as const].map(([k, val]) => `${k}=${val}`),
    ),
    // NSSM grants the account "Log on as a service" itself.
    { ...set('ObjectName', v.account, v.password), secret: v.password },
    set('Start', 'SERVICE_AUTO_START'),
    set('AppStdout', v.paths.stdout),
    set('AppStderr', v.paths.stderr),
    set('AppRotateFiles', '1'),
    set('AppRotateOnline', '1'),
    set('AppRotateBytes', '5242880'),
    set('AppExit', 'Default', 'Restart'),
    set('AppRestartDelay', '5000'),
    // Ctrl-C, then wait for the daemon to drain its workers: each finishes its run (no limit
    // unless the operator set a ceiling; see stop-timeouts.ts).
    set('AppStopMethodConsole', String(v.spec.stop.nssmMs)),
    // A daemon that exits or is restarted leaves its workers running for the next one to adopt.
    set('AppKillProcessTree', '0'),
    { cmd: 'nssm', args: ['start', NSSM_SERVICE] },
  ];
}

/** `whoami /groups` lists the token's mandatory label: High or System means elevated. */
export function isElevated(whoamiGroups: string): boolean {
  return ELEVATED_LABELS.some((sid) => whoamiGroups.includes(sid));
}

/** NSSM 2.24 writes UTF-16 to pipes: drop the NULs before reading its answer. */
export function nssmOutput(raw: string): string {
  return raw
    .replaceAll('\u0000', '')
    .replace(/^\uFEFF/, '')
    .trim();
}

function recordText(account: string, records: readonly CommandRecord[]): string {
  const lines = [
    `Installed by \`pipedai-orchestrator install\`: the ${NSSM_SERVICE} service logs on as ${account}.`,
    'These commands ran (the password is not kept); `pipedai-orchestrator uninstall` removes the service.',
    '',
    ...records.map((r) =>
      [r.cmd, ...r.args.map((a) => (/[\s"]/.test(a) ? quoteWindowsArg(a) : a))].join(' '),
    ),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

export function createNssmManager(ctx: ManagerContext): ServiceManager {
  const paths = nssmPaths(ctx.env, ctx.homedir, ctx.stateHome);
  const description: ServiceDescription = {
    kind: 'nssm',
    unitPath: paths.record,
    name: NSSM_SERVICE,
  };

  /** Installing and removing a service need an administrator's token: say so before trying. */
  async function requireElevation(seq: CommandSequence, verb: string): Promise<void> {
    const r = await seq.run('whoami', ['/groups', '/fo', 'csv', '/nh']);
    if (r.code === 0 && isElevated(r.stdout)) return;
    throw new Error(
      `${verb} the Windows service needs an elevated prompt: open a terminal with "Run as administrator" and run \`pipedai-orchestrator ${verb === 'installing' ? 'install' : 'uninstall'}\` there (the service still runs as your account, not as an administrator)`,
    );
  }

  return {
    describe: () => description,

    async install(): Promise<InstallReport> {
      const seq = new CommandSequence(ctx.runner);
      await requireElevation(seq, 'installing');
      const account = serviceAccount(ctx.env, ctx.serviceAccount);
      if (!ctx.servicePassword)
        throw new Error(`the service logs on as ${account}: its password is needed`);
      const password = await ctx.servicePassword(account);
      if (password === '') throw new Error(`no password given for ${account}`);
      const spec = await buildUnitSpec({
        ...ctx,
        serviceHome: ctx.homedir,
        stateHome: paths.stateHome,
        manager: 'nssm',
      });
      const p = pathApi('win32');
      await ctx.fs.mkdir(paths.stateHome, 0o700);
      await ctx.fs.mkdir(p.dirname(paths.record), 0o700);
      await ctx.fs.mkdir(paths.logsDir, 0o700);
      // A script an administrator once ran from a folder the user can write: never again.
      await ctx.fs.remove(paths.legacyScript);
      for (const c of aclCommands(paths.stateHome, account)) await seq.require(c.cmd, c.args);
      // Replace an earlier install; these fail harmlessly when there is none.
      await seq.run('nssm', ['stop', NSSM_SERVICE]);
      await seq.run('nssm', ['remove', NSSM_SERVICE, 'confirm']);
      const plan = nssmInstallCommands({
        spec,
        paths,
        account,
        password,
        systemRoot: ctx.env.SystemRoot ?? 'C:\\Windows',
      });
      for (const c of plan) await seq.require(c.cmd, c.args, c.secret);
      await ctx.fs.writeFile(paths.record, recordText(account, seq.records), 0o600);
      return {
        ...description,
        activated: true,
        commands: seq.records,
        logs: paths.logsDir,
        hints: [
          `The service logs on as ${account}: after that account's password changes, run \`pipedai-orchestrator install\` again.`,
        ],
      };
    },

    async uninstall(): Promise<UninstallReport> {
      const seq = new CommandSequence(ctx.runner);
      await requireElevation(seq, 'removing');
      const errors: string[] = [];
      await seq.tolerate('nssm', ['stop', NSSM_SERVICE], errors);
      await seq.tolerate('nssm', ['remove', NSSM_SERVICE, 'confirm'], errors);
      const removed = await removeUnitFile(ctx.fs, paths.record, errors);
      const legacy = await removeUnitFile(ctx.fs, paths.legacyScript, errors);
      return { ...description, removed: removed || legacy, commands: seq.records, errors };
    },

    async status(): Promise<ServiceStatus> {
      const seq = new CommandSequence(ctx.runner);
      const r = await seq.run('nssm', ['status', NSSM_SERVICE]);
      const state = nssmOutput(r.stdout).split(/\r?\n/)[0] ?? '';
      if (r.code !== 0) {
        const why = nssmOutput(r.stderr).split(/\r?\n/)[0] || state || 'not installed';
        return { installed: false, running: false, detail: `${NSSM_SERVICE}: ${why}` };
      }
      return {
        installed: true,
        running: state === 'SERVICE_RUNNING',
        detail: `${NSSM_SERVICE}: ${state || 'unknown'}`,
      };
    },
  };
}
