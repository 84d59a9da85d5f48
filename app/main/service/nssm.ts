// Windows: installing a service needs an elevated prompt, so install writes a .bat for the
// operator to run as Administrator (it drives NSSM); uninstall and status call NSSM directly.
import { CommandSequence, removeUnitFile } from './commands.ts';
import { batchArg, quoteWindowsArg } from './escape.ts';
import { renderTemplate } from './render.ts';
import {
  buildUnitSpec,
  pathApi,
  stateHomeFor,
  type InstallerEnv,
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

export const NSSM_SERVICE = 'PipedAIOrchestrator';

// cmd.exe refuses longer lines; a huge PATH must fail here, not half-way through the script.
const MAX_BATCH_LINE = 8191;

export interface NssmPaths {
  stateHome: string;
  script: string;
  logsDir: string;
  stdout: string;
  stderr: string;
}

export function nssmPaths(env: InstallerEnv, homedir: string): NssmPaths {
  const p = pathApi('win32');
  const stateHome = stateHomeFor('win32', env, homedir);
  const logsDir = p.join(stateHome, 'logs');
  return {
    stateHome,
    script: p.join(stateHome, 'orchestrator', 'install-service.bat'),
    logsDir,
    stdout: p.join(logsDir, 'pipedai-orchestrator.out.log'),
    stderr: p.join(logsDir, 'pipedai-orchestrator.err.log'),
  };
}

export interface NssmScriptValues {
  spec: UnitSpec;
  paths: NssmPaths;
  /** `DOMAIN\user` for the ObjectName hint, when known. */
  account?: string;
}

/** The install script, CRLF line endings (cmd.exe mis-parses labels in LF-only scripts). */
export function renderNssmScript(template: string, values: NssmScriptValues): string {
  const { spec, paths } = values;
  const script = renderTemplate('nssm-install.bat', template, {
    objectNameHint: `nssm set ${NSSM_SERVICE} ObjectName ${batchArg(values.account ?? '.\\YOUR-USER', 'account')} "YOUR-PASSWORD"`,
    logsDir: batchArg(paths.logsDir, 'logs folder'),
    node: batchArg(spec.nodePath, 'node path'),
    // NSSM hands AppParameters to node's command line as is: the CLI path is quoted inside it.
    appParameters: batchArg(`${quoteWindowsArg(spec.cliPath, 'CLI path')} start`, 'AppParameters'),
    appDirectory: batchArg(paths.stateHome, 'AppDirectory'),
    environment: spec.environment.map(([k, v]) => batchArg(`${k}=${v}`, k)).join(' '),
    stdoutPath: batchArg(paths.stdout, 'AppStdout'),
    stderrPath: batchArg(paths.stderr, 'AppStderr'),
    stopConsoleMs: String(spec.stop.nssmMs),
  });
  const tooLong = script.split('\n').find((line) => line.length > MAX_BATCH_LINE);
  if (tooLong !== undefined) {
    throw new Error(
      `a line of the install script is longer than cmd.exe accepts (${MAX_BATCH_LINE}): shorten PATH`,
    );
  }
  return script.replace(/\n/g, '\r\n');
}

/** NSSM 2.24 writes UTF-16 to pipes: drop the NULs before reading its answer. */
export function nssmOutput(raw: string): string {
  return raw
    .replaceAll('\u0000', '')
    .replace(/^\uFEFF/, '')
    .trim();
}

export function createNssmManager(ctx: ManagerContext): ServiceManager {
  const paths = nssmPaths(ctx.env, ctx.homedir);
  const description: ServiceDescription = {
    kind: 'nssm',
    unitPath: paths.script,
    name: NSSM_SERVICE,
  };
  const account =
    ctx.env.USERNAME === undefined
      ? undefined
      : `${ctx.env.USERDOMAIN ?? '.'}\\${ctx.env.USERNAME}`;

  return {
    describe: () => description,

    async install(): Promise<InstallReport> {
      const spec = await buildUnitSpec({
        ...ctx,
        serviceHome: ctx.homedir,
        stateHome: paths.stateHome,
        manager: 'nssm',
      });
      const script = renderNssmScript(await ctx.template('nssm-install.bat'), {
        spec,
        paths,
        account,
      });
      const p = pathApi('win32');
      await ctx.fs.mkdir(p.dirname(paths.script), 0o700);
      await ctx.fs.mkdir(paths.logsDir, 0o700);
      await ctx.fs.writeFile(paths.script, script, 0o644);
      return {
        ...description,
        activated: false,
        commands: [],
        logs: paths.logsDir,
        hints: [
          `Run ${paths.script} as Administrator to install and start the service (NSSM must be on PATH: https://nssm.cc).`,
        ],
      };
    },

    async uninstall(): Promise<UninstallReport> {
      const seq = new CommandSequence(ctx.runner);
      const errors: string[] = [];
      await seq.tolerate('nssm', ['stop', NSSM_SERVICE], errors);
      await seq.tolerate('nssm', ['remove', NSSM_SERVICE, 'confirm'], errors);
      const removed = await removeUnitFile(ctx.fs, paths.script, errors);
      return { ...description, removed, commands: seq.records, errors };
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
